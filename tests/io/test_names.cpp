// The one rule for names (io/names.hpp), applied wherever a name is read:
// [[firms]], [[segments]] and the firms a departure names.
#include <gtest/gtest.h>

#include <string>

#include "core/errors.hpp"
#include "io/names.hpp"
#include "io/scenario_file.hpp"
#include "io/utf8.hpp"

namespace loyalsim::io {
namespace {

using namespace std::string_literals;

std::string error_of(const std::string& text) {
  try {
    parse_scenario(text, "test.toml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// A scenario whose second firm is named by the TOML string `written`.
std::string with_firm_name(const std::string& written) {
  return "[[firms]]\nname = \"A\"\n[[firms]]\nname = " + written + "\n[[segments]]\nname = \"s\"\n";
}

TEST(Names, OddButValidNamesAreAccepted) {
  for (const std::string& name :
       {"A"s, "Big Firm"s, "A.B"s, "."s, ".."s, "Joe's"s, "Q\"uote"s, "back\\slash"s, "#1"s, "[x]"s, "{y}"s,
        "Zürich AG"s, "東京"s, "\xf0\x9f\x8f\xa6 bank"s, "industry_like"s, std::string(max_name_bytes, 'n')})
    EXPECT_EQ(name_problem(name), std::nullopt) << name;
}

TEST(Names, EveryKindOfBadNameIsRefused) {
  const std::pair<std::string, std::string> cases[] = {
      {""s, "empty"},
      {std::string(max_name_bytes + 1, 'n'), "at most 64 bytes"},
      {"A\0B"s, "control"},
      {"A\x7f"s, "control"},
      {"A\nB"s, "control"},
      {"A\xc2\x85"s, "control"},        // U+0085, a C1 control
      {"A\xe2\x80\xae"s, "invisible"},  // U+202E, right-to-left override
      {"A\xe2\x80\xa8"s, "invisible"},  // U+2028, line separator
      {"\xef\xbb\xbf"
       "A"s,
       "invisible"},  // U+FEFF, byte-order mark
      {"A\xff"s, "UTF-8"},
      {"\xc0\x80"s, "UTF-8"},      // an overlong NUL
      {"\xed\xa0\x80"s, "UTF-8"},  // a surrogate
      {"A/B"s, "'/'"},
      {"A=B"s, "'='"},
      {" A"s, "space"},
      {"A "s, "space"},
      {"A\xc2\xa0"s, "space"},  // a trailing no-break space
  };
  for (const auto& [name, expected] : cases) {
    const auto problem = name_problem(name);
    ASSERT_TRUE(problem.has_value()) << printable(name);
    EXPECT_NE(problem->find(expected), std::string::npos) << *problem;
  }
}

// On the old code "A\u0000x" and "A\u0000y" were accepted and became the
// same HDF5 label "A"; DEL made the resolved TOML unreadable; '/' broke the
// HDF5 column of a varied parameter.
TEST(Names, TheRuleAppliesToFirmsSegmentsAndDepartures) {
  const std::string nul = error_of(with_firm_name("\"A\\u0000x\""));
  EXPECT_NE(nul.find("test.toml:4:8: key 'firms[2].name': a name may not contain control"), std::string::npos) << nul;
  EXPECT_NE(error_of(with_firm_name("\"A\\u007f\"")).find("U+007F"), std::string::npos);
  EXPECT_NE(error_of(with_firm_name("\"A/B\"")).find("'/'"), std::string::npos);
  EXPECT_NE(error_of("[[firms]]\nname = \"A\"\n[[segments]]\nname = \"s\\tt\"\n").find("segments[1].name"),
            std::string::npos);
  const std::string departure =
      error_of(with_firm_name("\"B\"") + "[[departures]]\nmonth = 2\nfirm = \"A\"\nto = \"B\\u0000\"\n");
  EXPECT_NE(departure.find("departures[1].to': a name may not contain control"), std::string::npos) << departure;
  EXPECT_EQ(error_of(with_firm_name("'Joe\\s \"Q\" #1'")), "");
}

TEST(Names, MessagesShowUserTextEscapedAndShort) {
  // A duplicate key with a newline in it: the message stays on one line.
  const std::string e = error_of("\"bad\\nkey\" = 1\n" + with_firm_name("\"B\""));
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  EXPECT_NE(e.find("bad\\nkey"), std::string::npos) << e;
  const std::string huge = error_of(with_firm_name("\"B\"") + "[[departures]]\nmonth = 2\nfirm = \"A\"\nwhich = \"" +
                                    std::string(100000, 'w') + "\"\n");
  EXPECT_LT(huge.size(), 1000u) << huge.size();
  EXPECT_EQ(printable("a\0b\x7f\xff\xe2\x80\xae"s), "a\\x00b\\x7f\\xff\\u202e");
  EXPECT_EQ(printable(std::string(200, 'x'), 10), std::string(10, 'x') + "...");
}

}  // namespace
}  // namespace loyalsim::io
