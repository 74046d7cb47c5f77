"""The track record, by responsibility: episodes, scoring, yardsticks, bootstrap, event study
and the out-of-sample scorecard."""
