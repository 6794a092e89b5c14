#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/nest_random.h"

namespace eprop {
namespace {

namespace fs = std::filesystem;
const fs::path kReference =
    fs::path(EPROP_SHARED_DIR) / "reference-cases" / "nest_random_normal.csv";

// NEST's tau_m per node id, keyed by (rng_seed, total_num_virtual_procs), node ids 1, 2, ... in
// file order.
using Draws = std::map<std::pair<std::uint64_t, std::uint32_t>, std::vector<double>>;

Draws read_reference() {
  std::ifstream in(kReference);
  Draws draws;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.starts_with("rng_seed")) continue;
    std::istringstream row(line);
    std::string seed, vps, node, value;
    std::getline(row, seed, ',');
    std::getline(row, vps, ',');
    std::getline(row, node, ',');
    std::getline(row, value, ',');
    auto& column = draws[{std::stoull(seed), static_cast<std::uint32_t>(std::stoul(vps))}];
    EXPECT_EQ(std::stoull(node), column.size() + 1) << "node ids must be consecutive from 1";
    column.push_back(std::stod(value));
  }
  return draws;
}

TEST(NestRandom, ReproducesNestNormalDrawsPerNodeExactly) {
  if (!fs::exists(kReference)) GTEST_SKIP() << "shared reference absent: " << kReference;
  const Draws draws = read_reference();
  ASSERT_GE(draws.size(), 3U);
  for (const auto& [key, expected] : draws) {
    NestRandomStreams streams(key.first, key.second);
    const std::vector<double> got = streams.normal_for_nodes(1, expected.size(), 30.0, 2.0);
    for (std::size_t i = 0; i < expected.size(); ++i) {
      ASSERT_EQ(got[i], expected[i])
          << "rng_seed " << key.first << ", " << key.second << " vps, node id " << i + 1;
    }
  }
}

TEST(NestRandom, NodesAreDealtRoundRobinToVirtualProcesses) {
  NestRandomStreams streams(7, 4);
  EXPECT_EQ(streams.vp_of(1), 1U);
  EXPECT_EQ(streams.vp_of(4), 0U);
  EXPECT_EQ(streams.vp_of(6), 2U);
  // A node's draw is the next value of its vp's stream, independent of the other vps.
  NestVpStream vp2(7, 2);
  EXPECT_EQ(streams.normal_for_node(2, 0.0, 1.0), vp2.normal(0.0, 1.0));
  EXPECT_EQ(streams.normal_for_node(6, 0.0, 1.0), vp2.normal(0.0, 1.0));
}

TEST(NestRandom, UniformStaysInRangeAndSeedsDiffer) {
  NestVpStream a(1, 0), b(2, 0);
  EXPECT_NE(a.raw(), b.raw());
  for (int i = 0; i < 1000; ++i) {
    const double u = a.uniform(-2.0, 3.0);
    EXPECT_GE(u, -2.0);
    EXPECT_LT(u, 3.0);
  }
}

TEST(NestRandom, RejectsSeedsNestRejects) {
  EXPECT_THROW(NestVpStream(0, 0), std::invalid_argument);
  EXPECT_THROW(NestVpStream(0x100000000ULL, 0), std::invalid_argument);
  EXPECT_THROW(NestRandomStreams(1, 0), std::invalid_argument);
}

}  // namespace
}  // namespace eprop
