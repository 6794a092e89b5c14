// Fast path for large numeric arrays of network files (src/io/numeric_arrays.cpp): every array it
// takes holds exactly the numbers toml++ reads from the original text, what remains is valid TOML
// with the same line numbers, and anything unusual is left to toml++.

#include "io/numeric_arrays.h"

#include "eprop/error.h"
#include "eprop/network_file.h"

#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <cmath>
#include <string>
#include <vector>

namespace eprop::io {
namespace {

std::string spikes_text(const std::string& row0, const std::string& row1) {
  return "[[population]]\nname = \"gen\"\nmodel = \"spike_generator\"\nn = 2\nspike_times = [[" +
         row0 + "],\n  [" + row1 + "]]\n";
}

std::string many(const std::string& value, int n) {
  std::string text;
  for (int i = 0; i < n; ++i) text += (i > 0 ? ", " : "") + value;
  return text;
}

// The values toml++ reads for population 0's spike_times, as doubles (integers converted).
std::vector<std::vector<double>> toml_values(const std::string& text) {
  const toml::table root = toml::parse(text);
  std::vector<std::vector<double>> rows;
  for (const toml::node& row : *root["population"][0]["spike_times"].as_array()) {
    auto& values = rows.emplace_back();
    for (const toml::node& v : *row.as_array()) {
      values.push_back(v.is_integer() ? static_cast<double>(v.as_integer()->get())
                                      : v.as_floating_point()->get());
    }
  }
  return rows;
}

TEST(NumericArrays, TakesExactlyWhatTomlReads) {
  const std::string row0 =
      "0, 1, -0, 0.1, 1e3, 2.5E-3, 123456789012345678, 1.7976931348623157e308, "
      "4.9e-324, 0.30000000000000004, 7, 8, 9, 10";
  const std::string text = spikes_text(row0, "5.0, 6.0,\n 7.0, # gap\n 8.0") + "[run]\n";
  std::string changed = text;
  // The second row has a comment, so the whole array stays with toml++.
  EXPECT_TRUE(take_numeric_arrays(changed, 4).empty());
  EXPECT_EQ(changed, text);

  const std::string clean = spikes_text(row0, "5.0, 6.0,\n 7.0,\n 8.0,") + "[run]\nsimulate = 3\n";
  changed = clean;
  const ParsedArrays arrays = take_numeric_arrays(changed, 4);
  ASSERT_EQ(arrays.size(), 1U);
  const auto& [position, array] = *arrays.begin();
  EXPECT_EQ(array.rank, 2);
  EXPECT_FALSE(array.all_integers);
  const auto expected = toml_values(clean);
  ASSERT_EQ(array.rows.size(), expected.size());
  for (std::size_t r = 0; r < expected.size(); ++r) {
    ASSERT_EQ(array.rows[r].size(), expected[r].size());
    for (std::size_t k = 0; k < expected[r].size(); ++k) {
      EXPECT_EQ(array.rows[r][k], expected[r][k]) << r << "," << k;
      EXPECT_EQ(std::signbit(array.rows[r][k]), std::signbit(expected[r][k])) << r << "," << k;
    }
  }
  // The rest is TOML with the array's line breaks kept, the placeholder where the array began.
  const toml::table root = toml::parse(changed);
  const toml::node* placeholder = root["population"][0]["spike_times"].node();
  ASSERT_NE(placeholder, nullptr);
  EXPECT_EQ(placeholder->source().begin.line, position.first);
  EXPECT_EQ(placeholder->source().begin.column, position.second);
  EXPECT_EQ(position, std::make_pair(5U, 15U));
  EXPECT_EQ(root["run"]["simulate"].node()->source().begin.line, 10U);
}

TEST(NumericArrays, ColumnsCountCodePointsAsToml) {
  // Non-ASCII text before the array on its line: the key must still be toml++'s position.
  std::string text = "x = { s = \"\xC3\xA9\xC3\xA9\", weight = [" + many("0.5", 20) + "] }\n";
  const ParsedArrays arrays = take_numeric_arrays(text);
  ASSERT_EQ(arrays.size(), 1U);
  const toml::table root = toml::parse(text);
  const toml::source_position at = root["x"]["weight"].node()->source().begin;
  EXPECT_EQ(arrays.begin()->first, std::make_pair(at.line, at.column));
  EXPECT_EQ(arrays.begin()->second.rows.at(0), std::vector<double>(20, 0.5));
}

TEST(NumericArrays, LeavesUnusualSyntaxToToml) {
  for (const std::string odd : {"1_000.0", "+1.0", "inf", "nan", "01.0", ".5", "5.", "0x10", "1e",
                                "1.0 2.0", "\"1.0\"", "[1.0]", "1979-05-27"}) {
    std::string text = spikes_text(many("1.0", 20) + ", " + odd, "2.0");
    const std::string original = text;
    EXPECT_TRUE(take_numeric_arrays(text).empty()) << odd;
    EXPECT_EQ(text, original) << odd;
  }
  // Inside strings and comments nothing is taken.
  std::string text = "# spike_times = [" + many("1.0", 20) + "]\nname = \"spike_times = [" +
                     many("1.0", 20) + "]\"\n";
  EXPECT_TRUE(take_numeric_arrays(text).empty());
}

TEST(NumericArrays, SameSpecAndMessagesThroughTheReader) {
  const std::string base = spikes_text(many("3.0", 20), many("1", 20));
  const NetworkSpec spec = parse_network(base, "net.toml");
  ASSERT_EQ(spec.populations.at(0).spike_times.size(), 2U);
  EXPECT_EQ(spec.populations[0].spike_times[0], std::vector<double>(20, 3.0));
  EXPECT_EQ(spec.populations[0].spike_times[1], std::vector<double>(20, 1.0));

  const auto message = [](const std::string& text) -> std::string {
    try {
      (void)parse_network(text, "net.toml");
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "(no error)";
  };
  const std::string negative = message(spikes_text(many("3.0", 20), many("1", 19) + ", -2"));
  EXPECT_NE(negative.find("net.toml"), std::string::npos) << negative;
  EXPECT_NE(negative.find("spike_times"), std::string::npos) << negative;
  EXPECT_NE(negative.find("[[3, 3, 3"), std::string::npos) << negative;
  EXPECT_NE(negative.find("element [1][19] = -2"), std::string::npos) << negative;
  EXPECT_NE(negative.find("(line 5)"), std::string::npos) << negative;
  const std::string flat = message(
      "[[population]]\nname = \"gen\"\nmodel = \"spike_generator\"\nn = 1\nspike_times = [" +
      many("1.0", 20) + "]\n");
  EXPECT_NE(flat.find("must be a list of lists of numbers"), std::string::npos) << flat;
}

}  // namespace
}  // namespace eprop::io
