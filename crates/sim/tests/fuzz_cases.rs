//! The fuzzer's generator only produces valid, replayable scenarios.

use proptest::prelude::*;
use sim::scenario;
use sim::search::fuzz::case;

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn every_generated_case_is_a_valid_scenario(c in case()) {
        let text = c.to_toml("generated");
        let s = scenario::parse(&text, "case.toml");
        prop_assert!(s.is_ok(), "{}\n---\n{}", s.err().unwrap(), text);
        let s = s.unwrap();
        // It ends with a quiet liveness phase long enough for the final-state checks.
        prop_assert!(s.settles());
        prop_assert_eq!(s.seed, Some(c.seed));
        // The exported file round-trips through the scenario writer.
        let again = scenario::parse(&scenario::to_toml(&s), "again.toml").unwrap();
        prop_assert_eq!(again.timeline.len(), s.timeline.len());
    }
}
