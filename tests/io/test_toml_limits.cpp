// TOML limits checked before toml++ parses: deep dotted keys and headers
// (which overflowed toml++'s stack), deep arrays and inline tables, long
// keys and huge texts are refused with FILE:LINE:COLUMN; what only looks
// deep (dots and brackets inside strings, comments and numbers) is not.
#include <gtest/gtest.h>

#include <string>

#include "core/errors.hpp"
#include "io/scenario_file.hpp"
#include "io/toml_limits.hpp"

namespace loyalsim::io {
namespace {

const std::string minimal = "[[firms]]\nname = \"A\"\n[[segments]]\nname = \"s\"\n";

std::string limit_error(const std::string& text) {
  try {
    check_toml_limits(text, "test.toml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::string parts(std::size_t n, const std::string& part = "a") {
  std::string key = part;
  for (std::size_t i = 1; i < n; ++i) key += "." + part;
  return key;
}

std::string repeated(const std::string& text, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += text;
  return out;
}

// The 61 KB file that crashed toml++ (SIGSEGV) on the old code.
TEST(TomlLimits, AHeaderOfThirtyOneThousandPartsIsRefusedNotACrash) {
  const std::string text = "[" + parts(31000) + "]\n";
  std::string e;
  try {
    parse_scenario(text, "deep.toml");
  } catch (const InputError& error) {
    e = error.what();
  }
  EXPECT_NE(e.find("deep.toml:1:66: TOML nested too deeply"), std::string::npos) << e;
  EXPECT_NE(e.find("at most 32"), std::string::npos) << e;
}

TEST(TomlLimits, DeepDottedKeysAreRefusedWhereverTheyAre) {
  EXPECT_NE(limit_error(parts(31000) + " = 1\n").find("test.toml:1:"), std::string::npos);
  EXPECT_NE(limit_error("\n\n[[" + parts(40) + "]]\n").find("test.toml:3:"), std::string::npos);
  EXPECT_NE(limit_error("x = {" + parts(40) + " = 1}\n").find("nested too deeply"), std::string::npos);
  EXPECT_NE(limit_error("x = [{" + parts(40) + " = 1}]\n").find("nested too deeply"), std::string::npos);
  // Levels add up: a header, a dotted key and inline tables, none deep alone.
  EXPECT_NE(limit_error("[" + parts(11) + "]\n" + parts(11) + " = {" + parts(11) + " = 1}\n").find("too deeply"),
            std::string::npos);
  // Quoted parts count like bare ones; spaces may surround the dots.
  EXPECT_NE(limit_error(repeated("\"a\" . 'b' . ", 20) + "c = 1\n").find("too deeply"), std::string::npos);
}

TEST(TomlLimits, DeepArraysAndInlineTablesAreRefused) {
  EXPECT_NE(limit_error("x = " + repeated("[", 200) + repeated("]", 200) + "\n").find("too deeply"), std::string::npos);
  EXPECT_NE(limit_error("x = " + repeated("{a = ", 200) + "1" + repeated("}", 200) + "\n").find("too deeply"),
            std::string::npos);
  // Arrays spread over lines with comments between the brackets.
  // The value of x is level 1; the 33rd bracket, on line 33, is level 33.
  EXPECT_NE(limit_error("x = " + repeated("[ # c\n", 40) + "1" + repeated("]\n", 40)).find("test.toml:33:1:"),
            std::string::npos);
}

TEST(TomlLimits, NestingUpToTheLimitIsAccepted) {
  EXPECT_EQ(limit_error("[" + parts(31) + "]\nb = 1\n"), "");
  EXPECT_EQ(limit_error("x = " + repeated("[", 31) + repeated("]", 31) + "\n"), "");
  EXPECT_EQ(limit_error("[[" + parts(31) + "]]\n"), "");
  EXPECT_NE(limit_error("[[" + parts(32) + "]]\n"), "");
}

TEST(TomlLimits, WhatOnlyLooksDeepIsNotCounted) {
  const std::string dots = repeated(".", 1000), brackets = repeated("[", 1000);
  EXPECT_EQ(limit_error("x = \"" + dots + brackets + "\"\n"), "");
  EXPECT_EQ(limit_error("x = '" + dots + brackets + "'\n"), "");
  EXPECT_EQ(limit_error("x = \"\"\"\n" + dots + "\n\\\"\"\" " + brackets + "\n\"\"\"\n"), "");
  EXPECT_EQ(limit_error("x = '''" + dots + "\n" + brackets + "''''' \n"), "");
  EXPECT_EQ(limit_error("# " + brackets + dots + "\nx = 1 # " + brackets + "\n"), "");
  EXPECT_EQ(limit_error("x = [" + repeated("1.5, ", 5000) + "2.5e-3]\n"), "");
  EXPECT_EQ(limit_error("\"" + dots.substr(0, 200) + "\" = 1\n"), "");  // one quoted part
  EXPECT_EQ(limit_error("x = 1979-05-27 07:32:00Z\ny = {a = \"}]{[\", b = [1, 2]}\n"), "");
  EXPECT_EQ(limit_error("x = \"\\\"[[[[\"\n[a]\n"), "");
}

TEST(TomlLimits, LongKeysAreRefused) {
  const std::string long_part(max_toml_key_bytes + 1, 'k');
  EXPECT_NE(limit_error(long_part + " = 1\n").find("key part of 257 bytes"), std::string::npos);
  EXPECT_NE(limit_error("[a.\"" + long_part + "\"]\n").find("test.toml:1:4:"), std::string::npos);
  EXPECT_EQ(limit_error(std::string(max_toml_key_bytes, 'k') + " = 1\n"), "");
}

TEST(TomlLimits, AHugeTextIsRefusedNamingTheLimit) {
  const std::string e = limit_error(std::string(max_toml_bytes + 1, '\n'));
  EXPECT_NE(e.find("1 MiB (1048576 bytes)"), std::string::npos) << e;
}

TEST(TomlLimits, ColumnsCountCharactersNotBytes) {
  EXPECT_NE(limit_error("\"\xc3\xa9\" = 1\n" + std::string("\"é\".") + parts(40) + " = 1\n").find("test.toml:2:"),
            std::string::npos);
  EXPECT_NE(limit_error("\"é\"" + std::string(".") + parts(40) + " = 1\n").find("test.toml:1:67:"), std::string::npos);
}

// toml++ 3.3.0 reaches __builtin_unreachable() on some non-ASCII characters
// outside strings (found by the fuzzer), so they are refused first; inside
// strings and comments they are fine.
TEST(TomlLimits, NonAsciiOutsideStringsAndCommentsIsRefusedWithItsPlace) {
  const std::string e = limit_error("[[firms]]\nname = \"A\"\xc3\x9c\n");
  EXPECT_NE(e.find("test.toml:2:11: TOML syntax error: a non-ASCII character outside a string or comment"),
            std::string::npos)
      << e;
  EXPECT_NE(limit_error("caf\xc3\xa9 = 1\n").find("test.toml:1:4:"), std::string::npos);
  EXPECT_NO_THROW(
      check_toml_limits("# caf\xc3\xa9\nname = \"caf\xc3\xa9 \\\" \xc3\xa9\" # \xc3\xa9\n"
                        "a = '\xc3\xa9'\nb = \"\"\"\xc3\xa9\n\xc3\xa9\"\"\"\nc = '''\xc3\xa9\n'''\n",
                        "test.toml"));
}

TEST(TomlLimits, BrokenTomlIsLeftToTheParserWithoutHanging) {
  // Unterminated strings, stray brackets and bytes: the scan moves on.
  using namespace std::string_literals;
  for (const std::string& text : {"x = \"abc"s, "x = '''abc"s, "["s, "[["s, "]]]]"s, "x = [1, 2"s, "x = {a = "s,
                                  "\0\0\0"s, "= = ="s, "x = \"\\"s, "\"\"\""s, "a.b."s, "x = [,,,]"s})
    EXPECT_EQ(limit_error(text), "") << text;
}

TEST(TomlLimits, EveryRealScenarioIsWithinTheLimits) {
  EXPECT_NO_THROW(parse_scenario("[market]\ncustomers = 10\n" + minimal +
                                     "[sweep]\ndesign = \"grid\"\n[sweep.parameters]\n"
                                     "\"market.substitutability\" = [0.0, 0.5]\n",
                                 "test.toml"));
}

}  // namespace
}  // namespace loyalsim::io
