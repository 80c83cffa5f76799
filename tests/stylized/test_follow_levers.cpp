// The contested follow rate (followed / could_follow: among customers whose
// departing rep joined a competitor and was not barred, the share who
// followed) against the levers docs/MODEL.md section 7.2 says move it:
// u_follow = w_r R - c (1 - s) and u_stay = w_b B + w_s service, so it
// rises with substitutability s, rep_weight w_r and rep skill (through R),
// and falls with service_touchpoints, relationship_transfer (through B)
// and brand_weight. See replicate_statistics.hpp for the assertion rule.
#include <gtest/gtest.h>

#include "lever_sweep.hpp"

namespace loyalsim::stylized {
namespace {

void check(const Lever& lever, const std::vector<double>& levels, Trend trend, const Scenario& base = baseline()) {
  expect_trend("contested follow rate", lever, levels, sweep(base, lever, levels, contested_follow_rate), trend);
}

TEST(StylizedFacts, ContestedFollowRateRisesWithSubstitutability) {
  check({"market.substitutability", {"market.substitutability"}}, {0.0, 0.5, 1.0}, Trend::rises);
}

TEST(StylizedFacts, ContestedFollowRateRisesWithRepWeight) {
  check({"rep_weight", {"segments.S.rep_weight"}}, {0.5, 1.0, 2.0}, Trend::rises);
}

// Mean rep skill is fixed at 1 (SPEC: lognormal with mean 1), so skill is
// varied through the segment's rep_growth g_r, which multiplies a rep's
// skill k in the monthly rep-loyalty gain a_r = min(1, g_r k): a larger g_r
// is a more skilled sales force as the customers see it.
TEST(StylizedFacts, ContestedFollowRateRisesWithRepSkill) {
  check({"rep_growth", {"segments.S.rep_growth"}}, {0.02, 0.05, 0.2}, Trend::rises);
}

TEST(StylizedFacts, ContestedFollowRateFallsWithServiceTouchpoints) {
  check({"service_touchpoints", {"firms.A.service_touchpoints", "firms.B.service_touchpoints"}}, {0.0, 0.5, 1.0},
        Trend::falls);
}

TEST(StylizedFacts, ContestedFollowRateFallsWithRelationshipTransfer) {
  check({"relationship_transfer", {"firms.A.relationship_transfer", "firms.B.relationship_transfer"}}, {0.0, 0.3, 1.0},
        Trend::falls);
}

TEST(StylizedFacts, ContestedFollowRateFallsWithBrandWeight) {
  check({"brand_weight", {"segments.S.brand_weight"}}, {0.5, 1.0, 2.0}, Trend::falls);
}

}  // namespace
}  // namespace loyalsim::stylized
