using System.Diagnostics;
using SelectBench.Running;

namespace SelectBench.Tests.Running;

/// <summary>
/// A real kill: the job runs in a child process (`selectbench job`, the CLI built beside the tests), which
/// is killed with SIGKILL midway through its steps; the rerun must resume and reach the same result.
/// </summary>
public class KilledJobTests
{
    [Fact]
    public void AKilledJobLeavesNoDoneMarkerAndItsRerunResumesToTheSameResult()
    {
        using var f = new RunFixture();
        List<JobSpec> upstream = [RunFixture.Sum("k/a", 1)];
        List<JobSpec> specs = [.. upstream, RunFixture.Sum("k/b", 2, ["k/a"], steps: 6, delayMs: 250)];
        Assert.True(f.Execute(upstream).Succeeded);
        f.Run.SavePlan(RunFixture.Plan(specs));

        var cli = Path.Combine(AppContext.BaseDirectory, "SelectBench.Cli.dll");
        var start = new ProcessStartInfo("dotnet", [cli, "job", f.Root, "k/b", "--threads", "1"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using (var child = Process.Start(start)!)
        {
            var checkpoint = Path.Combine(f.Run.WorkDir("k/b"), "steps-done.txt");
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!(File.Exists(checkpoint) && File.ReadAllText(checkpoint).Trim() is "2" or "3") && DateTime.UtcNow < deadline)
            {
                if (child.WaitForExit(20))
                    Assert.Fail($"the job process ended early (exit {child.ExitCode}): {child.StandardOutput.ReadToEnd()} {child.StandardError.ReadToEnd()}");
            }
            Assert.True(File.Exists(checkpoint), "the job never reached its second step");
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
        }

        Assert.Null(f.Run.DoneKey("k/b"));
        Assert.False(File.Exists(f.Run.ResultPath("k/b")));
        Assert.Equal(JobState.Running, f.Status("k/b").State);
        Assert.Equal("interrupted", RunStatusReport.Read(f.Run).Single(r => r.Id == "k/b").State);

        var rerun = f.Execute(specs);
        Assert.Equal(["k/b"], rerun.OfKind(JobOutcomeKind.Ran).Select(o => o.Id));
        Assert.Equal(2, f.Status("k/b").Attempt);
        Assert.Equal([AttemptOutcome.Interrupted, AttemptOutcome.Done], f.Status("k/b").History.Select(a => a.Outcome));
        Assert.Matches("resuming from checkpoint after step [23] of 6", File.ReadAllText(f.Run.LogPath("k/b")));

        using var clean = new RunFixture();
        Assert.True(clean.Execute(specs).Succeeded);
        Assert.Equal(3, f.Result("k/b").Sum);
        Assert.Equal(File.ReadAllText(clean.Run.ResultPath("k/b")), File.ReadAllText(f.Run.ResultPath("k/b")));
        Assert.Equal(
            Directory.EnumerateFileSystemEntries(clean.Run.JobFolder("k/b")).Select(Path.GetFileName).Order(),
            Directory.EnumerateFileSystemEntries(f.Run.JobFolder("k/b")).Select(Path.GetFileName).Order());
    }
}
