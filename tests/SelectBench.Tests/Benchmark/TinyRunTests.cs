using System.Diagnostics;
using System.Text.Json.Nodes;
using SelectBench.Benchmark;
using SelectBench.Running;
using SelectBench.Common;

namespace SelectBench.Tests.Benchmark;

/// <summary>
/// The whole benchmark end to end on the tiny profile, through the CLI built beside the tests (a child
/// process, so that libtorch's process-wide thread count is not shared with other tests): one uninterrupted
/// run, and one killed with SIGKILL in three different stages and rerun, which must finish with the same leaderboard.
/// </summary>
public sealed class TinyRunTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sb-tiny-run").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void TheTinyProfileRunsEveryStageAndAKilledRunResumesToTheSameLeaderboard()
    {
        var clean = Path.Combine(_root, "clean");
        var (code, output) = Cli(["run", "--profile", "tiny", "--out", clean], TimeSpan.FromMinutes(10));
        Assert.True(code == 0, output);

        // Every results-contract file, and a leaderboard with all six shifts and every metric family.
        foreach (var file in new[] { "leaderboard.json", "leaderboard.csv", "leaderboard.md", "results.json", "report/index.html" })
            Assert.True(File.Exists(Path.Combine(clean, file)), $"{file} is missing; output:\n{output}");
        var board = JsonNode.Parse(File.ReadAllText(Path.Combine(clean, "leaderboard.json")))!;
        var shifts = board["shifts"]!.AsArray();
        Assert.Equal(6, shifts.Count);
        foreach (var shift in shifts)
        {
            var metrics = shift!["metrics"]!.AsObject();
            foreach (var name in new[] { "base_top1", "natural_ood_mean", "corruption_top1_mean", "transfer_mean", "knn_top1_k20",
                                         "coverage", "lt", "ls_5pct", "label_noise_est", "fid", "cmmd", "vendi", "cost" })
                Assert.True(metrics.ContainsKey(name), $"{shift["name"]} lacks {name}");
            var top1 = metrics["base_top1"]!;
            Assert.Equal(2, top1["n"]!.GetValue<int>()); // two seeds
            Assert.InRange(top1["mean"]!.GetValue<double>(), top1["ci_low"]!.GetValue<double>(), top1["ci_high"]!.GetValue<double>());
            if (shift["name"]!.GetValue<string>() != "expert")
            {
                Assert.True(metrics.ContainsKey("mce"), $"{shift["name"]} lacks mce (normalised by the expert model)");
                Assert.NotNull(shift["p_value_vs_reference"]);
            }
        }
        Assert.Contains("ranked by base_top1", output);
        Assert.Contains("finding:", output);

        // Killed in three stages (SIGKILL while a job of that stage runs), then rerun to the end.
        var killed = Path.Combine(_root, "killed");
        foreach (var stage in new[] { "train", "evaluate", "analyse" })
            RunUntilStageRunsThenKill(killed, stage);
        var (finalCode, finalOutput) = Cli(["run", "--profile", "tiny", "--out", killed], TimeSpan.FromMinutes(10));
        Assert.True(finalCode == 0, finalOutput);
        Assert.Equal(File.ReadAllText(Path.Combine(clean, "leaderboard.json")), File.ReadAllText(Path.Combine(killed, "leaderboard.json")));
        var run = new RunFolder(killed);
        var plan = run.LoadPlan();
        Assert.All(plan.Jobs, j => Assert.True(run.IsDone(j), $"{j.Id} is not done"));
        Assert.Contains(plan.Jobs, j => run.ReadStatus(j.Id)!.Attempt > 1); // some job really was interrupted and rerun
    }

    private static void RunUntilStageRunsThenKill(string folder, string stage)
    {
        using var child = Start(["run", "--profile", "tiny", "--out", folder]);
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (DateTime.UtcNow < deadline)
        {
            if (child.WaitForExit(50))
                Assert.Fail($"the run ended (exit {child.ExitCode}) before a '{stage}' job ran: {child.StandardOutput.ReadToEnd()}");
            if (StageRunning(folder, stage)) break;
        }
        Assert.True(StageRunning(folder, stage), $"no '{stage}' job started within 5 minutes");
        Thread.Sleep(300); // into the job, not at its first line
        child.Kill(entireProcessTree: true);
        child.WaitForExit();
    }

    private static bool StageRunning(string folder, string stage)
    {
        var jobs = Path.Combine(folder, "jobs");
        if (!Directory.Exists(jobs)) return false;
        return Directory.EnumerateDirectories(jobs, stage + "+*").Any(d =>
        {
            var status = Path.Combine(d, RunFolder.StatusFile);
            try
            {
                return File.Exists(status) && !File.Exists(Path.Combine(d, RunFolder.DoneMarker))
                       && SelectBench.Common.Json.Read<JobStatus>(status).State == JobState.Running;
            }
            catch (Exception e) when (e is IOException or SelectBench.Common.SelectBenchException)
            {
                return false;
            }
        });
    }

    private static Process Start(IEnumerable<string> args)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "SelectBench.Cli.dll");
        var start = new ProcessStartInfo("dotnet", [cli, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["SELECTBENCH_NO_PROGRESS"] = "1";
        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return process;
    }

    private static (int Code, string Output) Cli(IEnumerable<string> args, TimeSpan timeout)
    {
        using var process = Start(args);
        var output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"selectbench {string.Join(' ', args)} did not finish within {timeout}");
        }
        return (process.ExitCode, output.Result);
    }
}
