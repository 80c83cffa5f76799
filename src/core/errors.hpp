// Typed exceptions, one base. Errors are thrown at the boundaries (files,
// arguments) with context; the CLI maps InputError to exit status 2 and any
// other Error to 1. Inside a month step nothing throws: problems are counted.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace loyalsim {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bad input from the user: a scenario file, an option, a --set value.
// what() is the full message: "FILE:LINE:COLUMN: key 'KEY': problem".
class InputError : public Error {
 public:
  explicit InputError(const std::string& message) : Error(message) {}
};

// A failure of the HDF5 library, with its own message appended.
class Hdf5Error : public Error {
 public:
  using Error::Error;
};

}  // namespace loyalsim
