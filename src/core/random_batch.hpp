// Many Philox blocks at once (docs/PERFORMANCE.md, "Fourth round"): for a
// batch of counters, the words RandomSource::words gives, sixteen counters
// at a time with AVX-512 where the processor has it (one vector Philox
// costs about what two scalar blocks do), one at a time elsewhere. Used
// where a loop needs a block per element anyway: the customers'
// initialisation and the month step's rare-event customers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/random.hpp"

namespace loyalsim {

// out[k] = source.words(entity[k], step, purpose[k]) for k in [0, n).
void draw_batch(const RandomSource& source, std::uint32_t step, const std::uint32_t* entity, const Purpose* purpose,
                RandomWords* out, std::size_t n);

}  // namespace loyalsim
