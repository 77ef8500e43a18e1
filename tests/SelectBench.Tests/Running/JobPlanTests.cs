using System.Text.Json.Nodes;
using SelectBench.Common;
using SelectBench.Running;

namespace SelectBench.Tests.Running;

public class JobPlanTests
{
    [Fact]
    public void KeyIgnoresPropertyOrderButNotValues()
    {
        var one = new JsonObject { ["b"] = 2, ["a"] = new JsonObject { ["y"] = 1, ["x"] = "s" } };
        var same = new JsonObject { ["a"] = new JsonObject { ["x"] = "s", ["y"] = 1 }, ["b"] = 2 };
        var other = new JsonObject { ["a"] = new JsonObject { ["x"] = "s", ["y"] = 1 }, ["b"] = 3 };
        Assert.Equal("""{"a":{"x":"s","y":1},"b":2}""", CanonicalJson.Write(one));
        Assert.Equal(JobKey.Compute("k", one, [], "v1"), JobKey.Compute("k", same, [], "v1"));
        Assert.NotEqual(JobKey.Compute("k", one, [], "v1"), JobKey.Compute("k", other, [], "v1"));
        Assert.NotEqual(JobKey.Compute("k", one, [], "v1"), JobKey.Compute("k", one, [], "v2"));
        Assert.NotEqual(JobKey.Compute("k", one, [], "v1"), JobKey.Compute("j", one, [], "v1"));
        Assert.NotEqual(JobKey.Compute("k", one, ["0123"], "v1"), JobKey.Compute("k", one, ["0124"], "v1"));
        Assert.Matches("^[0-9a-f]{16}$", JobKey.Compute("k", one, [], "v1"));
    }

    [Fact]
    public void ChangingAnUpstreamSettingChangesEveryDownstreamKeyOnly()
    {
        var before = RunFixture.Plan(RunFixture.Diamond());
        var after = RunFixture.Plan(RunFixture.Diamond(cValue: 99));
        var changed = before.Jobs.Where(j => after[j.Id].Key != j.Key).Select(j => j.Id);
        Assert.Equal(["sum/c", "sum/d"], changed);
    }

    [Fact]
    public void PlanIsTopologicallyOrderedAndSplitIntoLevels()
    {
        var plan = RunFixture.Plan(Enumerable.Reverse(RunFixture.Diamond()));
        Assert.Equal(["other/e", "sum/b", "sum/a", "sum/c", "sum/d"], plan.Jobs.Select(j => j.Id));
        Assert.Equal([["other/e", "sum/b", "sum/a"], ["sum/c"], ["sum/d"]], plan.Levels().Select(l => l.Select(j => j.Id).ToArray()));
        Assert.Equal(new HashSet<string> { "sum/c", "sum/d" }, plan.Dependants("sum/a"));
    }

    [Fact]
    public void PlanRejectsCyclesUnknownDependenciesDuplicatesAndBadIds()
    {
        Assert.Contains("cycle", Assert.Throws<SelectBenchException>(() => RunFixture.Plan(
            [RunFixture.Sum("a", 1, ["b"]), RunFixture.Sum("b", 1, ["a"])])).Message);
        Assert.Contains("'missing', which is not in the plan", Assert.Throws<SelectBenchException>(() => RunFixture.Plan(
            [RunFixture.Sum("a", 1, ["missing"])])).Message);
        Assert.Contains("appears twice", Assert.Throws<SelectBenchException>(() => RunFixture.Plan(
            [RunFixture.Sum("a", 1), RunFixture.Sum("a", 2)])).Message);
        Assert.Contains("job id 'a b'", Assert.Throws<SelectBenchException>(() => RunFixture.Plan([RunFixture.Sum("a b", 1)])).Message);
        Assert.Contains("job id '../x'", Assert.Throws<SelectBenchException>(() => RunFixture.Plan([RunFixture.Sum("../x", 1)])).Message);
    }

    [Fact]
    public void SavedPlanLoadsWithTheSameKeys()
    {
        using var f = new RunFixture();
        var plan = RunFixture.Plan(RunFixture.Diamond());
        f.Run.SavePlan(plan);
        var loaded = f.Run.LoadPlan();
        Assert.Equal(plan.Jobs.Select(j => (j.Id, j.Key, j.Stage)), loaded.Jobs.Select(j => (j.Id, j.Key, j.Stage)));
        Assert.Equal(RunFixture.CodeVersion, loaded.CodeVersion);
    }

    [Fact]
    public void UnknownJobKindFailsBeforeAnythingRuns()
    {
        using var f = new RunFixture();
        var specs = new List<JobSpec> { RunFixture.Sum("a", 1), new("b", "s", "no-such-kind", new JsonObject()) };
        var e = Assert.Throws<SelectBenchException>(() => f.Execute(specs));
        Assert.Contains("unknown job kind 'no-such-kind'", e.Message);
        Assert.Contains("selftest-sum", e.Message);
        Assert.False(Directory.Exists(f.Run.JobFolder("a")));
    }

    [Fact]
    public void JobKindsAreFoundByReflection()
    {
        Assert.Contains("selftest-sum", JobKinds.Registry.Names);
    }
}
