using System.Diagnostics;
using System.Globalization;
using SelectBench.Data;

namespace SelectBench.Bench;

/// <summary>
/// Load time of the on-disk image-set cache (issue 2: "a decoded set of 100k small images loads in well
/// under a second"): saves N random 28x28 grey images once, then times <see cref="ImageSetStore.Load"/>
/// several times (page cache warm) and reports the median and the best.
/// </summary>
public sealed class ImageStoreBenchmark : IBenchmark
{
    public string Name => "image-store";
    public string Description => "ImageSetStore.Load time for 100k x 1x28x28 (options: --count N --repeats R)";

    public int Run(string[] args)
    {
        int count = Option(args, "--count", 100_000), repeats = Option(args, "--repeats", 7);
        var rng = new Random(0);
        var pixels = new byte[(long)count * 28 * 28];
        rng.NextBytes(pixels);
        var labels = Enumerable.Range(0, count).Select(i => i % 10).ToArray();
        var set = new ImageSet(pixels, labels, LabelSet.FashionMnist, 1, 28, 28);
        var folder = Directory.CreateTempSubdirectory("sb-store-bench").FullName;
        try
        {
            var save = Stopwatch.StartNew();
            ImageSetStore.Save(set, folder);
            Console.WriteLine($"saved {count:N0} images ({pixels.Length / 1e6:F1} MB) in {save.Elapsed.TotalMilliseconds:F0} ms");
            var times = new List<double>();
            for (int r = 0; r < repeats; r++)
            {
                var clock = Stopwatch.StartNew();
                var loaded = ImageSetStore.Load(folder);
                times.Add(clock.Elapsed.TotalMilliseconds);
                if (loaded.Count != count) throw new InvalidOperationException("round trip lost images");
            }
            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"load: median {times[times.Count / 2]:F0} ms, best {times[0]:F0} ms over {repeats} loads (first includes JIT: {times.Max():F0} ms max)"));
            return 0;
        }
        finally { Directory.Delete(folder, true); }
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out int v) ? v : fallback;
    }
}
