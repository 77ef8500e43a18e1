using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SelectBench.Engine;
using SelectBench.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SelectBench.Bench;

/// <summary>
/// Training throughput (forward + backward + SGD step, batch 128, random data) of ResNet-20 at 1x28x28 and
/// ResNet-18 at 3x64x64 in TorchSharp, and of the same networks in PyTorch (python/train_throughput.py,
/// launched as a subprocess with the same thread count) in the same run. Prints img/s for both and the
/// ratio TorchSharp / PyTorch.
/// </summary>
public sealed class TrainingThroughputBenchmark : IBenchmark
{
    public string Name => "training-throughput";
    public string Description => "ResNet-20 1x28x28 and ResNet-18 3x64x64 fwd+bwd+SGD img/s: TorchSharp vs PyTorch (python3-torch)";

    private sealed record Case(string Model, int Channels, int Size);

    public int Run(string[] args)
    {
        int steps = IntOption(args, "--steps", 20), warmup = IntOption(args, "--warmup", 3);
        int threads = IntOption(args, "--threads", 2), batch = IntOption(args, "--batch", 128);
        string python = StringOption(args, "--python", "/usr/bin/python3");
        var only = StringOption(args, "--models", "resnet20,resnet18").Split(',');
        double width = double.Parse(StringOption(args, "--width", "1"), CultureInfo.InvariantCulture);
        bool withPython = !args.Contains("--no-python"), json = args.Contains("--json");
        var engine = TorchEngine.EnsureReady(threads);
        var script = FindScript();
        if (json)
        {
            // One line per model for EngineConfigurationsBenchmark, which runs this in child processes.
            foreach (var c in new[] { new Case("resnet20", 1, 28), new Case("resnet18", 3, 64) }.Where(c => only.Contains(c.Model)))
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    model = c.Model,
                    width,
                    engine = engine.Configuration,
                    images_per_second = TorchSharpImagesPerSecond(c, batch, warmup, steps, width)
                }));
            return 0;
        }
        Console.WriteLine($"training throughput: batch {batch}, {threads} threads, {warmup} warm-up + {steps} timed steps, SGD (momentum 0.9, Nesterov, wd 5e-4), width x{width}");
        Console.WriteLine(engine.Summary);
        Console.WriteLine($"{"model",-10} {"input",-8} {"TorchSharp img/s",17} {"PyTorch img/s",14} {"ratio",7}");
        foreach (var c in new[] { new Case("resnet20", 1, 28), new Case("resnet18", 3, 64) }.Where(c => only.Contains(c.Model)))
        {
            double ours = TorchSharpImagesPerSecond(c, batch, warmup, steps, width);
            string? note = null;
            double? theirs = withPython && width == 1 ? PyTorchImagesPerSecond(python, script, c, batch, threads, warmup, steps, out note) : null;
            var ratio = theirs is { } t ? (ours / t).ToString("F2", CultureInfo.InvariantCulture) : "n/a";
            Console.WriteLine($"{c.Model,-10} {$"{c.Channels}x{c.Size}x{c.Size}",-8} {ours,17:F1} {(theirs is { } v ? v.ToString("F1", CultureInfo.InvariantCulture) : "n/a"),14} {ratio,7}");
            if (note != null) Console.WriteLine($"  PyTorch: {note}");
        }
        Console.WriteLine($"TorchSharp {typeof(torch).Assembly.GetName().Version}; ratio = TorchSharp / PyTorch (> 1: TorchSharp faster).");
        return 0;
    }

    private static double TorchSharpImagesPerSecond(Case c, int batch, int warmup, int steps, double width = 1)
    {
        using var generator = new Generator(0, CPU);
        using var model = ModelZoo.Create(c.Model, c.Channels, 10, width, generator: generator);
        model.train();
        using var optimizer = new ScalarSafeSgd(model.parameters(), 0.01, momentum: 0.9, weightDecay: 5e-4, nesterov: true);
        using var x = randn(batch, c.Channels, c.Size, c.Size, generator: generator);
        using var y = randint(0, 10, [batch], dtype: ScalarType.Int64, generator: generator);
        void Step()
        {
            using var scope = NewDisposeScope();
            var loss = nn.functional.cross_entropy(model.forward(x), y);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            loss.item<float>();
        }
        for (int i = 0; i < warmup; i++) Step();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) Step();
        return steps * batch / clock.Elapsed.TotalSeconds;
    }

    private static double? PyTorchImagesPerSecond(string python, string? script, Case c, int batch, int threads, int warmup, int steps, out string? note)
    {
        note = null;
        if (script is null) { note = "python/train_throughput.py not found next to the repository's bench folder"; return null; }
        var psi = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { script, "--model", c.Model, "--channels", c.Channels.ToString(CultureInfo.InvariantCulture),
                                  "--size", c.Size.ToString(CultureInfo.InvariantCulture), "--batch", batch.ToString(CultureInfo.InvariantCulture),
                                  "--threads", threads.ToString(CultureInfo.InvariantCulture), "--warmup", warmup.ToString(CultureInfo.InvariantCulture),
                                  "--steps", steps.ToString(CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEnd();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) { note = $"exit code {process.ExitCode}: {stderr.Trim().Split('\n').LastOrDefault()}"; return null; }
            using var json = JsonDocument.Parse(stdout.Trim().Split('\n').Last());
            note = $"torch {json.RootElement.GetProperty("version").GetString()}, {json.RootElement.GetProperty("threads").GetInt32()} threads";
            return json.RootElement.GetProperty("images_per_second").GetDouble();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            note = $"cannot start {python} ({e.Message}); install python3-torch or pass --python";
            return null;
        }
    }

    /// <summary>The script lives in the source tree (bench/SelectBench.Bench/python); search upwards from the binary.</summary>
    private static string? FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "SelectBench.Bench", "python", "train_throughput.py");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    internal static int IntOption(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
    }

    internal static string StringOption(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
