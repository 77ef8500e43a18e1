using System.Diagnostics;
using System.Globalization;
using SelectBench.Data;
using SelectBench.Engine;
using SelectBench.Models;
using SelectBench.Training;
using static TorchSharp.torch;

namespace SelectBench.Bench;

/// <summary>
/// The parallel training loader (issue 13, "Loader throughput"): decode (DCT-scaled), random-resized-crop (scale
/// 0.08-1) and flip to 192 px in img/s on N worker threads, over the ImageFolder tree that make-imagenet-like
/// writes, side by side in the same run with torchvision's ImageFolder + DataLoader (PIL, N workers;
/// python/torchvision_loader.py) on the same files. Also compares the two epoch orders (index-level random access
/// vs WebDataset-style shard order + shuffle buffer), and the loader's share of a ResNet-18 training step at 128 px.
/// </summary>
public sealed class LoaderThroughputBenchmark : IBenchmark
{
    public string Name => "loader-throughput";
    public string Description => "training loader img/s (decode+RRC+flip to 192 px) vs torchvision ImageFolder+DataLoader; epoch orders; share of a ResNet-18 step (--folder DIR [--workers 2] [--images N] [--steps 10])";

    /// <summary>The ImageFolder tree's files, read from disk on every access as torchvision's loader does.</summary>
    private sealed class FileSource(string[] files) : IEncodedImageSource
    {
        public int Count => files.Length;
        public ReadOnlyMemory<byte> Encoded(int index) => File.ReadAllBytes(files[index]);
        public string Describe(int index) => files[index];
    }

    public int Run(string[] args)
    {
        var folder = TrainingThroughputBenchmark.StringOption(args, "--folder", "");
        if (!Directory.Exists(folder)) { Console.Error.WriteLine("loader-throughput: give --folder DIR, the ImageFolder tree of make-imagenet-like --folder"); return 2; }
        int workers = TrainingThroughputBenchmark.IntOption(args, "--workers", 2), images = TrainingThroughputBenchmark.IntOption(args, "--images", 0);
        int steps = TrainingThroughputBenchmark.IntOption(args, "--steps", 10), size = TrainingThroughputBenchmark.IntOption(args, "--size", 192);
        var files = Directory.GetDirectories(folder).Order(StringComparer.Ordinal)
            .SelectMany(d => Directory.GetFiles(d).Order(StringComparer.Ordinal)).ToArray();
        if (images > 0) files = files.Take(images).ToArray();
        var source = new FileSource(files);
        Console.WriteLine($"CPU: {CpuName()}, {Environment.ProcessorCount} logical cores; {files.Length:N0} images from {folder}");
        int profile = TrainingThroughputBenchmark.IntOption(args, "--profile", 0);
        if (profile > 0)
        {
            // Where the CPU per image goes, on one thread, both sides (BENCHMARKS.md "Issue 13: the parallel loader").
            LoaderProfile.Run(files, profile, size);
            if (!args.Contains("--no-python")) RunTorchvision(folder, workers, size, images, $" --profile {profile}");
            return 0;
        }

        var transform = new LoaderTransform(3, size, size, ResizedCrop: true, MinScale: 0.08, HorizontalFlip: true);
        var batches = Trainer.Batches(files.Length, 192);
        // The sides alternate (--rounds, 2 by default), so a change in the machine's load shows as a change between rounds.
        int rounds = TrainingThroughputBenchmark.IntOption(args, "--rounds", 2);
        for (int round = 1; round <= rounds; round++)
        {
            Console.WriteLine($"round {round}: load average {LoadAverage()}");
            var (ours, oursCpu) = Pass(source, transform, workers, EpochOrder.Shuffled(files.Length, 0, round - 1), batches);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"SelectBench ParallelLoader ({workers} workers, index shuffle): {files.Length / ours:F0} img/s ({ours:F1} s), {1000 * oursCpu / files.Length:F2} CPU ms/img (user+sys of the process)"));
            if (round == 1)
            {
                var (buffered, bufferedCpu) = Pass(source, transform, workers, EpochOrder.ShardBuffered(files.Length, 1000, 5000, 0, 0), batches);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"SelectBench ParallelLoader ({workers} workers, shard order + 5,000-sample buffer): {files.Length / buffered:F0} img/s ({buffered:F1} s), {1000 * bufferedCpu / files.Length:F2} CPU ms/img"));
            }
            if (!args.Contains("--no-python")) RunTorchvision(folder, workers, size, images);
        }
        if (steps > 0) StepShare(source, workers, steps);
        return 0;
    }

    /// <summary>One pass: wall seconds and the process's CPU seconds (user + sys, all threads).</summary>
    private static (double Seconds, double Cpu) Pass(IEncodedImageSource source, LoaderTransform transform, int workers, int[] order, IReadOnlyList<(int, int)> batches)
    {
        var loader = new ParallelLoader(source, transform, 0, workers, prefetch: 4, pinMemory: false);
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        long bytes = 0;
        foreach (var batch in loader.Epoch(0, order, batches)) { bytes += batch.NumberOfElements; batch.Dispose(); }
        double seconds = clock.Elapsed.TotalSeconds;
        self.Refresh();
        return (seconds, (self.TotalProcessorTime - cpu).TotalSeconds);
    }

    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "unknown"; }
    }

    private static void RunTorchvision(string folder, int workers, int size, int images, string extra = "")
    {
        var script = Path.Combine(AppContext.BaseDirectory, "python", "torchvision_loader.py");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null && !File.Exists(script); dir = dir.Parent)
            script = Path.Combine(dir.FullName, "bench", "SelectBench.Bench", "python", "torchvision_loader.py");
        var psi = new ProcessStartInfo("/usr/bin/python3", $"\"{script}\" \"{folder}\" --workers {workers} --size {size} --images {images}{extra}")
        { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        Console.Write(p.StandardOutput.ReadToEnd());
        p.WaitForExit();
    }

    /// <summary>ResNet-18 at 128 px, batch 64: seconds per step waiting for the loader vs computing, on the same cores.</summary>
    private static void StepShare(IEncodedImageSource source, int workers, int steps)
    {
        TorchEngine.EnsureReady(workers);
        const int batch = 64;
        int count = Math.Min(source.Count, batch * (steps + 1));
        var transform = new LoaderTransform(3, 128, 128, ResizedCrop: true, MinScale: 0.08, HorizontalFlip: true);
        var loader = new ParallelLoader(source, transform, 0, workers, prefetch: 4, pinMemory: false);
        using var model = ModelZoo.Create("resnet18", 3, 200);
        using var optimizer = optim.SGD(model.parameters(), 0.1, 0.9);
        model.train();
        var order = EpochOrder.Shuffled(count, 0, 0);
        var batches = Trainer.Batches(count, batch);
        var wait = new Stopwatch();
        var total = new Stopwatch();
        using var e = loader.Epoch(0, order, batches).GetEnumerator();
        for (int step = 0; step < batches.Count; step++)
        {
            if (step == 1) { wait.Reset(); total.Restart(); }  // the first step also fills the queue
            using var scope = NewDisposeScope();
            wait.Start();
            e.MoveNext();
            wait.Stop();
            var x = Scalars.DivInPlace(e.Current.to(ScalarType.Float32), 255);
            var y = randint(0, 200, [x.shape[0]], dtype: ScalarType.Int64);
            var loss = nn.functional.cross_entropy(model.forward(x), y);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }
        total.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ResNet-18 at 128 px, batch {batch}, {workers} loader workers + {workers} libtorch threads: {total.Elapsed.TotalSeconds / (batches.Count - 1):F2} s/step, " +
            $"of which waiting for the loader {wait.Elapsed.TotalSeconds / (batches.Count - 1):F3} s ({100 * wait.Elapsed.TotalSeconds / total.Elapsed.TotalSeconds:F1}%)"));
    }

    private static string CpuName()
    {
        try { return File.ReadLines("/proc/cpuinfo").First(l => l.StartsWith("model name", StringComparison.Ordinal)).Split(':', 2)[1].Trim(); }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException) { return "unknown"; }
    }
}
