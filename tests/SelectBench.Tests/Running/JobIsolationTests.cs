using System.Diagnostics;
using System.Text.Json.Nodes;
using SelectBench.Running;

namespace SelectBench.Tests.Running;

/// <summary>
/// Jobs in child processes (`selectbench job --supervised`, the CLI built beside the tests) with selftest-fault
/// jobs that crash the way native code does: a crash ends only its job, which is retried once, every attempt
/// is recorded with its exit code, and no job process outlives a cancelled run.
/// </summary>
public class JobIsolationTests
{
    /// <summary>Short, so the test of a job deaf to cancellation does not wait the default 10 s.</summary>
    private static ChildProcessLauncher Processes() => new(stopGrace: TimeSpan.FromSeconds(1));

    private static JobSpec Fault(string id, string fault, int times = 1, double value = 0, string[]? deps = null) =>
        new(id, "fault", "selftest-fault", new JsonObject { ["fault"] = fault, ["times"] = times, ["value"] = value }, deps ?? []);

    [Fact]
    public void ASegfaultEndsOnlyItsJobWhichPassesOnItsSecondAttemptAndStatusShowsBoth()
    {
        using var f = new RunFixture();
        var messages = new List<string>();
        List<JobSpec> specs =
        [
            Fault("crash/once", "segfault", value: 7), RunFixture.Sum("after/crash", 1, ["crash/once"]),
            RunFixture.Sum("sum/a", 1), RunFixture.Sum("sum/b", 2, ["sum/a"]),
        ];
        var summary = f.Execute(specs, launcher: Processes(), progress: m => { lock (messages) messages.Add(m); });

        Assert.True(summary.Succeeded, summary.Describe());
        Assert.Equal(8, f.Result("after/crash").Sum); // 1 + 7: the retried job's result reached its dependant
        Assert.Equal(3, f.Result("sum/b").Sum);
        const string crash = "the job's process died from SIGSEGV (exit code 139)";
        Assert.StartsWith(crash, summary["crash/once"].RetriedAfter);
        Assert.Contains($"RETRIED crash/once: the first attempt crashed ({crash}", summary.Describe());
        Assert.Contains("the second passed", summary.Describe());
        Assert.Contains(messages, m => m.StartsWith($"retrying crash/once: its first attempt crashed: {crash}", StringComparison.Ordinal));

        var attempts = f.Status("crash/once").History;
        Assert.Equal(2, attempts.Count);
        Assert.Equal((AttemptOutcome.Crashed, "SIGSEGV", 139, true), (attempts[0].Outcome, attempts[0].Signal, attempts[0].ExitCode, attempts[0].Retried));
        Assert.Equal((AttemptOutcome.Done, (string?)null, 0, false), (attempts[1].Outcome, attempts[1].Signal, attempts[1].ExitCode, attempts[1].Retried));
        Assert.Equal([1, 2], attempts.Select(a => a.Number));
        Assert.StartsWith(crash, attempts[0].Error);
        // Each attempt and each other job ran in a process of its own, not in this one.
        var pids = attempts.Select(a => a.Pid).Concat(specs.Skip(1).Select(s => f.Status(s.Id).Pid)).ToList();
        Assert.Equal(pids.Count, pids.Distinct().Count());
        Assert.DoesNotContain(Environment.ProcessId, pids);
        foreach (var other in specs.Skip(1))
            Assert.Equal((AttemptOutcome.Done, 0), (f.Status(other.Id).History.Single().Outcome, f.Status(other.Id).History.Single().ExitCode));
        Assert.Contains("\"outcome\": \"crashed\"", File.ReadAllText(Path.Combine(f.Run.JobFolder("crash/once"), RunFolder.StatusFile)));

        var log = File.ReadAllText(f.Run.LogPath("crash/once"));
        Assert.Matches(@"attempt 1 of 'crash/once'[\s\S]*exited with code 139 \(SIGSEGV\)[\s\S]*attempt 2 of 'crash/once'[\s\S]*exited with code 0", log);

        var (code, output) = Cli("status", f.Root);
        Assert.True(code == 0, output);
        Assert.Matches(@"crash/once\s+fault\s+done \(2 attempts: 1 crashed with SIGSEGV\)", output);
        Assert.Matches(@"attempts of crash/once:\n  #1 [\d-]+ [\d:]+ [\d.]+s crashed with SIGSEGV, exit code 139, retried: the job's process died from SIGSEGV", output);
        Assert.Matches(@"  #2 [\d-]+ [\d:]+ [\d.]+s done, exit code 0\n", output);
        Assert.DoesNotContain("attempts of sum/a", output);
    }

    [Fact]
    public void AJobThatCrashesTwiceFailsAndBlocksItsDependantsWhileTheOthersFinish()
    {
        using var f = new RunFixture();
        List<JobSpec> specs = [Fault("crash/always", "abort", times: 9), RunFixture.Sum("after/crash", 1, ["crash/always"]), RunFixture.Sum("sum/a", 1)];
        var summary = f.Execute(specs, launcher: Processes());

        var failed = summary["crash/always"];
        Assert.Equal((JobOutcomeKind.Failed, true), (failed.Kind, failed.Crashed));
        Assert.StartsWith("the job's process died from SIGABRT (exit code 134)", failed.Error);
        Assert.Equal(JobOutcomeKind.Blocked, summary["after/crash"].Kind);
        Assert.Contains("'crash/always'", summary["after/crash"].Error);
        Assert.Equal(JobOutcomeKind.Ran, summary["sum/a"].Kind);
        Assert.Contains("RETRIED crash/always", summary.Describe());
        Assert.Contains("the second failed too", summary.Describe());

        var attempts = f.Status("crash/always").History;
        Assert.Equal([(AttemptOutcome.Crashed, "SIGABRT", true), (AttemptOutcome.Crashed, "SIGABRT", false)],
            attempts.Select(a => (a.Outcome, a.Signal, a.Retried)));
        Assert.Null(f.Run.DoneKey("crash/always"));
        // The runtime's own last words, written to the child's stderr, are in the job's log.
        Assert.Equal(2, CountOf(File.ReadAllText(f.Run.LogPath("crash/always")), "aborting on purpose"));

        var row = RunStatusReport.Read(f.Run).Single(r => r.Id == "crash/always");
        Assert.Equal("failed (2 attempts: 1 crashed with SIGABRT)", row.StateWithAttempts);
        Assert.Equal("blocked", RunStatusReport.Read(f.Run).Single(r => r.Id == "after/crash").State);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AnUnexpectedExceptionIsRetriedOnceButASelectBenchExceptionIsNot(bool inChildProcesses)
    {
        using var f = new RunFixture();
        List<JobSpec> specs = [Fault("throws/once", "exception", value: 2), Fault("bad/input", "user-error")];
        var summary = f.Execute(specs, launcher: inChildProcesses ? Processes() : null);

        Assert.Equal(JobOutcomeKind.Ran, summary["throws/once"].Kind);
        Assert.Equal("ExternalException: job 'throws/once': a native error on purpose", summary["throws/once"].RetriedAfter);
        Assert.Equal(2, f.Result("throws/once").Sum);
        Assert.Equal([(AttemptOutcome.Crashed, inChildProcesses ? 1 : (int?)null, true), (AttemptOutcome.Done, inChildProcesses ? 0 : (int?)null, false)],
            f.Status("throws/once").History.Select(a => (a.Outcome, a.ExitCode, a.Retried)));

        var bad = summary["bad/input"];
        Assert.Equal((JobOutcomeKind.Failed, false, (string?)null), (bad.Kind, bad.Crashed, bad.RetriedAfter));
        Assert.Equal("job 'bad/input': bad input on purpose; fix the input and rerun.", bad.Error);
        var only = Assert.Single(f.Status("bad/input").History);
        Assert.Equal((AttemptOutcome.Failed, inChildProcesses ? 2 : (int?)null, false), (only.Outcome, only.ExitCode, only.Retried));
        Assert.Equal(bad.Error, only.Error);
        Assert.DoesNotContain("RETRIED bad/input", summary.Describe());
    }

    [Fact]
    public async Task CancellingARunStopsEveryJobProcessAndReportsThemCancelled()
    {
        using var f = new RunFixture();
        List<JobSpec> specs =
        [
            RunFixture.Sum("slow/polite", 1, steps: 200, delayMs: 100), // stops at its next step
            Fault("slow/deaf", "hang"), // never looks at the token: killed after the grace
            RunFixture.Sum("after/polite", 1, ["slow/polite"]),
        ];
        using var cancel = new CancellationTokenSource();
        var execution = Task.Run(() => f.Execute(specs, launcher: Processes(), cancellation: cancel.Token));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(IsRunning(f, "slow/polite") && IsRunning(f, "slow/deaf") && File.Exists(Path.Combine(f.Run.WorkDir("slow/deaf"), "attempts-seen.txt"))))
        {
            Assert.False(execution.IsCompleted, "the run ended before both jobs were running");
            Assert.True(DateTime.UtcNow < deadline, "the two jobs were not both running within 60 s");
            await Task.Delay(50);
        }
        var pids = new[] { f.Status("slow/polite").Pid, f.Status("slow/deaf").Pid };
        cancel.Cancel();
        var summary = await execution.WaitAsync(TimeSpan.FromSeconds(30)); // throws if the run has not ended by then

        Assert.Equal([JobOutcomeKind.Cancelled, JobOutcomeKind.Cancelled, JobOutcomeKind.Cancelled], specs.Select(s => summary[s.Id].Kind));
        Assert.Empty(summary.Retried);
        var polite = f.Status("slow/polite").History.Single();
        Assert.Equal((AttemptOutcome.Cancelled, 130, "cancelled before it finished"), (polite.Outcome, polite.ExitCode, polite.Error));
        var deaf = f.Status("slow/deaf").History.Single();
        Assert.Equal((AttemptOutcome.Cancelled, 137, "SIGKILL"), (deaf.Outcome, deaf.ExitCode, deaf.Signal));
        Assert.StartsWith("cancelled; the job did not stop within 1 s and was killed", deaf.Error);
        Assert.Equal(["cancelled", "cancelled", "pending"], RunStatusReport.Read(f.Run).Select(r => r.State)); // not failed
        Assert.All(pids, pid => Assert.False(ProcessExists(pid), $"job process {pid} survived the cancelled run"));
        Assert.Empty(ProcessesMentioning(f.Root));
    }

    [Fact]
    public async Task AJobProcessStopsWhenItsRunGoesAway()
    {
        using var f = new RunFixture();
        f.Run.SavePlan(RunFixture.Plan([RunFixture.Sum("orphan", 1, steps: 200, delayMs: 100)]));
        var start = new ProcessStartInfo("dotnet", [CliPath, "job", f.Root, "orphan", "--threads", "1", "--supervised"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var child = Process.Start(start)!;
        var output = child.StandardOutput.ReadToEndAsync();
        var errors = child.StandardError.ReadToEndAsync();
        var checkpoint = Path.Combine(f.Run.WorkDir("orphan"), "steps-done.txt");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!File.Exists(checkpoint))
        {
            Assert.False(child.HasExited, $"the job ended early (exit {(child.HasExited ? child.ExitCode : 0)})");
            Assert.True(DateTime.UtcNow < deadline, "the job never reached its first step");
            await Task.Delay(50);
        }

        child.StandardInput.Close(); // what the OS does when the parent run dies, even by SIGKILL
        await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15)); // throws if the job went on
        Assert.Equal(JobExitCode.Cancelled, child.ExitCode);
        Assert.Contains("stdin closed", await errors);
        var log = await output; // --supervised: the log goes to stdout
        Assert.Contains("attempt 1 of 'orphan'", log);
        Assert.Contains("=== cancelled", log);
        Assert.Equal(AttemptOutcome.Cancelled, f.Status("orphan").History.Single().Outcome);
        Assert.Null(f.Run.DoneKey("orphan"));
    }

    private static string CliPath => Path.Combine(AppContext.BaseDirectory, ChildProcessLauncher.CliFile);

    private static (int Code, string Output) Cli(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [CliPath, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + errors.Result);
    }

    private static bool IsRunning(RunFixture f, string id) =>
        f.Run.ReadStatus(id) is { State: JobState.Running } status && status.Pid != Environment.ProcessId;

    private static bool ProcessExists(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Live processes whose command line names the run folder: a job process, or anything it started.</summary>
    private static List<string> ProcessesMentioning(string text) =>
        Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)).Select(d =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' ');
            }
            catch (IOException)
            {
                return "";
            }
        }).Where(cmd => cmd.Contains(text, StringComparison.Ordinal)).ToList();

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "").Length) / part.Length;
}
