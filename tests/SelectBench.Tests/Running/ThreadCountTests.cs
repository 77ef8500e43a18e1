using SelectBench.Common;
using SelectBench.Running;

namespace SelectBench.Tests.Running;

/// <summary>
/// A job's numbers depend on libtorch's thread count, so finished jobs record it and a resume that would give
/// them another count is refused unless --force reruns them (issue 12, item 8; docs/running.md, "Refusals").
/// </summary>
public class ThreadCountTests
{
    [Fact]
    public void AResumeWithAnotherThreadCountIsRefusedUnlessForced()
    {
        using var f = new RunFixture();
        var specs = RunFixture.Diamond();
        Assert.True(f.Execute(specs, parallel: 2, totalThreads: 2).Succeeded); // 1 thread per job
        Assert.All(specs, s => Assert.Equal(1, f.Status(s.Id).Threads));

        var e = Assert.Throws<SelectBenchException>(() => f.Execute(specs, parallel: 1, totalThreads: 2)); // 2 threads per job
        Assert.Contains("ran with 1 thread(s) per job", e.Message);
        Assert.Contains("would give them 2", e.Message);
        Assert.Contains("--force", e.Message);
        Assert.All(specs, s => Assert.Equal(1, f.Status(s.Id).Threads)); // nothing ran

        // Forcing only some of the mixed jobs still leaves a mix.
        Assert.Throws<SelectBenchException>(() => f.Execute(specs, parallel: 1, totalThreads: 2, force: new ForceSelector(["top"])));

        var summary = f.Execute(specs, parallel: 1, totalThreads: 2, force: ForceSelector.All);
        Assert.True(summary.Succeeded, summary.Describe());
        Assert.Equal(specs.Count, summary.Count(JobOutcomeKind.Ran));
        Assert.All(specs, s => Assert.Equal(2, f.Status(s.Id).Threads));
        Assert.Equal(10, f.Result("sum/d").Sum);
    }

    [Fact]
    public void AResumeWithTheSameThreadCountSkipsFinishedJobs()
    {
        using var f = new RunFixture();
        var specs = RunFixture.Diamond();
        Assert.True(f.Execute(specs, parallel: 2, totalThreads: 2).Succeeded);
        // Another --parallel that gives the same threads per job (4 / 4 = 1) is no mix.
        var summary = f.Execute(specs, parallel: 4, totalThreads: 4);
        Assert.Equal(specs.Count, summary.Count(JobOutcomeKind.Skipped));
    }
}
