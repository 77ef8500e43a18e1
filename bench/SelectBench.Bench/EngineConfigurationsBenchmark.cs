using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SelectBench.Engine;

namespace SelectBench.Bench;

/// <summary>
/// Training throughput of each engine configuration side by side in one run: oneDNN at AVX2, at the CPU's
/// maximum ISA (when higher), and oneDNN off. The ISA cap is fixed per process, so each configuration runs
/// <c>training-throughput --json</c> in a child process of this program with its environment.
/// </summary>
public sealed class EngineConfigurationsBenchmark : IBenchmark
{
    public string Name => "engine-configurations";
    public string Description => "training img/s of ResNet-20 (x1, x0.5) and ResNet-18 under oneDNN AVX2 / native ISA / off, side by side";

    public int Run(string[] args)
    {
        int steps = TrainingThroughputBenchmark.IntOption(args, "--steps", 20);
        int threads = TrainingThroughputBenchmark.IntOption(args, "--threads", 2);
        var cases = new[] { ("resnet20", "1"), ("resnet20", "0.5"), ("resnet18", "1") };
        Console.WriteLine($"engine configurations on {MachineInfo.Current.Summary}; batch 128, {threads} threads, 3 warm-up + {steps} timed steps");
        Console.WriteLine($"{"configuration",-26} {"ResNet-20 x1 28px",18} {"ResNet-20 x0.5 28px",20} {"ResNet-18 64px",15}");
        foreach (var (name, environment) in EngineDoctor.Configurations())
        {
            var cells = new List<string>();
            foreach (var (model, width) in cases)
            {
                var child = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var a in new[] { typeof(EngineConfigurationsBenchmark).Assembly.Location, "training-throughput", "--json", "--no-python",
                                          "--models", model, "--width", width, "--threads", threads.ToString(CultureInfo.InvariantCulture),
                                          "--steps", steps.ToString(CultureInfo.InvariantCulture) })
                    child.ArgumentList.Add(a);
                foreach (var (k, v) in environment)
                    if (string.IsNullOrEmpty(v)) child.Environment.Remove(k); else child.Environment[k] = v;
                using var process = Process.Start(child)!;
                var output = process.StandardOutput.ReadToEnd();
                var error = process.StandardError.ReadToEnd();
                process.WaitForExit();
                if (process.ExitCode != 0) { cells.Add("failed"); Console.Error.WriteLine($"{name} {model} x{width}: {error.Trim()}"); continue; }
                using var json = JsonDocument.Parse(output.Trim().Split('\n').Last());
                cells.Add(json.RootElement.GetProperty("images_per_second").GetDouble().ToString("F0", CultureInfo.InvariantCulture) + " img/s");
            }
            Console.WriteLine($"{name,-26} {cells[0],18} {cells[1],20} {cells[2],15}");
        }
        return 0;
    }
}
