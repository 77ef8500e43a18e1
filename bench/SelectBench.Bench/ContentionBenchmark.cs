using System.Diagnostics;

namespace SelectBench.Bench;

/// <summary>
/// How much a busy neighbour slows SelectBench: the quick FashionMNIST++ world job (<c>selectbench world
/// fashion-mnist --profile quick</c>, every core) timed alone, then beside one competing CPU-bound process with
/// two spinning threads at nice 19 in a session of its own (so that, under autogroup scheduling, it takes half the
/// cores whatever its nice value), in one run. With OpenMP threads that spin while they wait, sharing the cores
/// cost 15x (issue 9); with OMP_WAIT_POLICY=PASSIVE (the engine's default) the slowdown should stay near what the
/// neighbour takes. <c>--wait-policy PASSIVE,ACTIVE,spin:20000</c> measures several wait settings side by side
/// ("spin:N": the policy unset and GOMP_SPINCOUNT=N).
/// </summary>
public sealed class ContentionBenchmark : IBenchmark
{
    public string Name => "contention";
    public string Description => "quick world job alone vs beside a 2-thread CPU-bound neighbour (nice 19): times and ratio";

    public int Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "spin") return Spin(TrainingThroughputBenchmark.IntOption(args, "--threads", 2));
        var cli = FindCli() ?? throw new InvalidOperationException("src/SelectBench.Cli/bin/Release/net10.0/<rid>/SelectBench.Cli.dll not found: build the CLI first (./selectbench --help).");
        // Each entry is OMP_WAIT_POLICY's value, or "spin:N": the policy left unset with GOMP_SPINCOUNT=N (libgomp
        // spins N iterations, then sleeps).
        var policies = TrainingThroughputBenchmark.StringOption(args, "--wait-policy", "PASSIVE").Split(',', StringSplitOptions.RemoveEmptyEntries);
        Console.WriteLine($"contention: '{Path.GetFileName(cli)} world fashion-mnist --profile quick' on {SelectBench.Engine.MachineInfo.Current.Summary}");
        Console.WriteLine($"{"OMP_WAIT_POLICY",-16} {"alone s",9} {"with neighbour s",17} {"ratio",6}");
        foreach (var policy in policies)
        {
            double alone = TimeWorld(cli, policy, neighbour: false);
            double shared = TimeWorld(cli, policy, neighbour: true);
            Console.WriteLine($"{policy,-16} {alone,9:F1} {shared,17:F1} {shared / alone,6:F2}");
        }
        return 0;
    }

    private static double TimeWorld(string cli, string policy, bool neighbour)
    {
        var folder = Directory.CreateTempSubdirectory("sb-contention").FullName;
        Process? busy = null;
        try
        {
            if (neighbour)
            {
                // setsid: the neighbour gets a session of its own, as a job started from another terminal or by a
                // scheduler has. With the kernel's autogroup scheduling (on by default), nice only orders processes
                // within one session; across sessions each autogroup gets an equal share, so a nice-19 neighbour in
                // its own session still takes half of the cores (this is how issue 9's neighbour took them).
                var spin = new ProcessStartInfo("setsid") { UseShellExecute = false };
                foreach (var a in new[] { "nice", "-n", "19", "dotnet", typeof(ContentionBenchmark).Assembly.Location, "contention", "spin", "--threads", "2" })
                    spin.ArgumentList.Add(a);
                busy = Process.Start(spin);
                Thread.Sleep(1000);
            }
            var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { cli, "world", "fashion-mnist", "--profile", "quick", "--out", folder }) start.ArgumentList.Add(a);
            if (policy.StartsWith("spin:", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove("OMP_WAIT_POLICY");
                start.Environment["GOMP_SPINCOUNT"] = policy["spin:".Length..];
            }
            else
            {
                start.Environment["OMP_WAIT_POLICY"] = policy.ToUpperInvariant();
                start.Environment.Remove("GOMP_SPINCOUNT");
            }
            start.Environment["SELECTBENCH_NO_PROGRESS"] = "1";
            var clock = Stopwatch.StartNew();
            using var world = Process.Start(start)!;
            world.StandardOutput.ReadToEnd();
            var error = world.StandardError.ReadToEnd();
            world.WaitForExit();
            if (world.ExitCode != 0) throw new InvalidOperationException($"the world job failed: {error}");
            return clock.Elapsed.TotalSeconds;
        }
        finally
        {
            if (busy is not null) { busy.Kill(entireProcessTree: true); busy.Dispose(); }
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The neighbour: threads that do nothing but integer arithmetic until killed.</summary>
    private static int Spin(int threads)
    {
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            ulong x = (ulong)t + 1;
            while (true) x = x * 6364136223846793005UL + 1442695040888963407UL;
        })
        { IsBackground = false }).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        return 0;
    }

    private static string? FindCli()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var bin = Path.Combine(dir.FullName, "src", "SelectBench.Cli", "bin", "Release", "net10.0");
            if (Directory.Exists(bin))
                return Directory.GetFiles(bin, "SelectBench.Cli.dll", SearchOption.AllDirectories).FirstOrDefault();
        }
        return null;
    }
}
