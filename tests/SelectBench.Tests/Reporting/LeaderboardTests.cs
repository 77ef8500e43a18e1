using SelectBench.Reporting;
using SelectBench.Common;

namespace SelectBench.Tests.Reporting;

public class LeaderboardTests
{
    private static LeaderboardEntry Entry(string name, double mean, double low, double high) =>
        new(name, name, 100, 10, 1.5, new Dictionary<string, MetricSummary> { ["base_top1"] = new(mean, low, high, 3) });

    [Fact]
    public void RanksByPrimaryMetricAndMarksOverlappingIntervalsAsTies()
    {
        var board = Leaderboard.Rank("base_top1",
        [
            Entry("synthetic", 0.50, 0.48, 0.52),
            Entry("expert", 0.90, 0.89, 0.91),
            Entry("search", 0.885, 0.87, 0.895),
        ]);
        Assert.Equal(["expert", "search", "synthetic"], board.Shifts.Select(s => s.Name));
        // search's interval overlaps expert's, so it shares rank 1; synthetic overlaps nobody.
        Assert.Equal([1, 1, 3], board.Shifts.Select(s => s.Rank));
        Assert.Equal(["search"], board.Shifts[0].TiedWith);
        Assert.Empty(board.Shifts[2].TiedWith);
    }

    [Fact]
    public void RanksCountTheClearlyBetterShiftsAndNeverGoBackUpTheTable()
    {
        // The standard run's pattern: crowd's wide interval overlaps expert's, search's does not.
        var board = Leaderboard.Rank("base_top1",
        [
            Entry("expert", 0.880, 0.873, 0.886), Entry("search", 0.840, 0.818, 0.861), Entry("crowd", 0.821, 0.740, 0.902),
            Entry("img2img", 0.649, 0.563, 0.735), Entry("query", 0.637, 0.564, 0.711), Entry("txt2img", 0.618, 0.545, 0.691),
        ]);
        // crowd has nobody clearly above it (rank 1 alone) but is listed after search (rank 2): it gets 2.
        Assert.Equal([1, 2, 2, 4, 4, 4], board.Shifts.Select(s => s.Rank));
        Assert.Equal(["crowd"], board.Shifts[0].TiedWith);
    }

    [Fact]
    public void LowerIsBetterMetricsRankAscending()
    {
        var a = new LeaderboardEntry("a", "s", 1, 1, 0, new Dictionary<string, MetricSummary> { ["fid"] = MetricSummary.Point(10) });
        var b = new LeaderboardEntry("b", "s", 1, 1, 0, new Dictionary<string, MetricSummary> { ["fid"] = MetricSummary.Point(2) });
        Assert.Equal(["b", "a"], Leaderboard.Rank("fid", [a, b]).Shifts.Select(s => s.Name));
    }

    [Fact]
    public void EveryFileSaysWhichWorldAndShiftsOnWhichCpu()
    {
        var dir = Directory.CreateTempSubdirectory("lb").FullName;
        try
        {
            string world = new('a', 64), expert = new('b', 64), crowd = new('c', 64);
            var board = Leaderboard.Rank("base_top1",
                [Entry("expert", 0.9, 0.88, 0.92) with { Fingerprint = expert }, Entry("crowd", 0.7, 0.6, 0.8) with { Fingerprint = crowd }])
                with
            { WorldFingerprint = world, Engine = new SelectBench.Reporting.EngineDescription("Test CPU 9000", "AVX2", 2) };
            board.WriteAll(dir, ["base_top1"]);

            var md = File.ReadAllLines(Path.Combine(dir, "leaderboard.md"));
            Assert.Equal("world aaaaaaaaaaaa on Test CPU 9000 (oneDNN AVX2, 2 usable cores)", md[0]);
            Assert.Contains($"| expert | {expert} |", md);
            Assert.Contains($"| world | {world} |", md);

            var csv = File.ReadAllLines(Path.Combine(dir, "leaderboard.csv"));
            Assert.EndsWith(",fingerprint,world_fingerprint", csv[0]);
            Assert.EndsWith($",{expert},{world}", csv[1]);
            Assert.EndsWith($",{crowd},{world}", csv[2]);

            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "leaderboard.json")))!;
            Assert.Equal(world, json["world_fingerprint"]!.GetValue<string>());
            Assert.Equal("Test CPU 9000", json["engine"]!["cpu_model"]!.GetValue<string>());
            Assert.Equal("AVX2", json["engine"]!["native_isa"]!.GetValue<string>());
            Assert.Equal(2, json["engine"]!["usable_cores"]!.GetValue<int>());
            Assert.Equal(3, json["engine"]!.AsObject().Count); // cpu_model, native_isa, usable_cores: no computed extras
            Assert.Equal(expert, json["shifts"]![0]!["fingerprint"]!.GetValue<string>());
            Assert.Null(json["header_line"]);
            var back = Leaderboard.Read(Path.Combine(dir, "leaderboard.json"));
            Assert.Equal(board.Engine, back.Engine);
            Assert.Equal(crowd, back.Shifts[1].Fingerprint);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void FilesRoundTripAndHoldTheContractFields()
    {
        var dir = Directory.CreateTempSubdirectory("lb").FullName;
        try
        {
            var crowd = Entry("crowd", 0.7, 0.6, 0.8);
            crowd = crowd with
            {
                Metrics = new Dictionary<string, MetricSummary>(crowd.Metrics)
                {
                    [Leaderboard.CostKey] = MetricSummary.Point(1.5),
                    [SelectBench.Evaluation.Suite.DatasetAnalyticsMetric.ImagesKey] = MetricSummary.Point(100),
                },
            };
            var board = Leaderboard.Rank("base_top1", [Entry("expert", 0.9, 0.88, 0.92), crowd]);
            board.WriteAll(dir);
            Assert.DoesNotContain("| cost | – |", File.ReadAllText(Path.Combine(dir, "leaderboard.md")));
            Assert.Single(File.ReadAllLines(Path.Combine(dir, "leaderboard.md"))[2].Split(" | "), c => c.Trim() == "cost");
            Assert.Single(File.ReadAllLines(Path.Combine(dir, "leaderboard.md"))[2].Split(" | "), c => c.Trim() == "images");
            var json = File.ReadAllText(Path.Combine(dir, "leaderboard.json"));
            foreach (var field in new[] { "\"name\"", "\"strategy\"", "\"images\"", "\"classes_present\"", "\"cost\"", "\"metrics\"", "\"base_top1\"", "\"mean\"", "\"ci_low\"", "\"ci_high\"", "\"n\"" })
                Assert.Contains(field, json);
            var back = Leaderboard.Read(Path.Combine(dir, "leaderboard.json"));
            Assert.Equal(0.9, back.Shifts[0].Metrics["base_top1"].Mean);
            var csv = File.ReadAllLines(Path.Combine(dir, "leaderboard.csv"));
            Assert.StartsWith("rank,name,strategy,images,classes_present,cost,base_top1,base_top1_ci_low", csv[0]);
            var header = csv[0].Split(',');
            Assert.Equal(header.Length, header.Distinct().Count()); // no column twice (the cost metric is the fixed cost column)
            Assert.StartsWith("1,expert,expert,100,10,1.5,0.9,0.88,0.92,3", csv[1]);
            Assert.Contains("| 1 | expert |", File.ReadAllText(Path.Combine(dir, "leaderboard.md")));
            Assert.StartsWith("world (no fingerprint) on an unrecorded CPU", File.ReadAllText(Path.Combine(dir, "leaderboard.md")));

            // With key metrics, the markdown opens with just those, then every metric under "All metrics".
            board.WriteAll(dir, ["base_top1", "fid"]);
            var md = File.ReadAllText(Path.Combine(dir, "leaderboard.md"));
            var keyTable = md[..md.IndexOf("## All metrics", StringComparison.Ordinal)];
            Assert.Contains("| base_top1 |", keyTable);
            Assert.DoesNotContain("fid", keyTable); // no shift has it, so it gets no column
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_point_interval_prints_as_the_value_alone_in_markdown()
    {
        Assert.Equal("0", Leaderboard.FormatCell(new MetricSummary(0, 0, 0, 2)));        // exact zero on both seeds
        Assert.Equal("0.17", Leaderboard.FormatCell(new MetricSummary(0.17, 0.17, 0.17, 3)));
        Assert.Equal("0.5 [0.25, 0.75]", Leaderboard.FormatCell(new MetricSummary(0.5, 0.25, 0.75, 2)));
    }
}
