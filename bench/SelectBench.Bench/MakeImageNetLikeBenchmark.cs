using System.Diagnostics;
using System.Globalization;
using SelectBench.Worlds.ImageNetLike;

namespace SelectBench.Bench;

/// <summary>
/// Writes the ImageNet-shaped procedural source of issue 13 ("Data to test on"), the data the store and loader
/// benchmarks read: 200 classes, 256 px short side JPEGs, WebDataset shards, and with --folder an ImageFolder tree
/// for torchvision's ImageFolder. See <see cref="ImageNetLikeSource"/>.
/// </summary>
public sealed class MakeImageNetLikeBenchmark : IBenchmark
{
    public string Name => "make-imagenet-like";
    public string Description => "write an ImageNet-shaped procedural source (options: --images N --out DIR [--shard-size 1000] [--folder] [--seed 0])";

    public int Run(string[] args)
    {
        int images = Option(args, "--images", 10_000), shardSize = Option(args, "--shard-size", 1000), seed = Option(args, "--seed", 0);
        int outAt = Array.IndexOf(args, "--out");
        if (outAt < 0 || outAt + 1 >= args.Length)
        {
            Console.Error.WriteLine("make-imagenet-like: give --out DIR (the shards go to DIR/shards, with --folder the tree to DIR/folder)");
            return 2;
        }
        var root = args[outAt + 1];
        bool folder = args.Contains("--folder");
        var clock = Stopwatch.StartNew();
        var shards = ImageNetLikeSource.Write(images, Path.Combine(root, "shards"), seed, shardSize, folder ? Path.Combine(root, "folder") : null);
        double seconds = clock.Elapsed.TotalSeconds;
        long bytes = shards.Sum(s => new FileInfo(s).Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {images:N0} images in {shards.Count} shards ({bytes / 1e6:F0} MB) to {Path.Combine(root, "shards")}" +
            $"{(folder ? $" and {Path.Combine(root, "folder")}" : "")} in {seconds:F1} s ({images / seconds:F0} img/s, {Environment.ProcessorCount} threads)"));
        Console.WriteLine($"read them with: ./selectbench data info '{Path.Combine(root, "shards")}/shard-{{{0:D6}..{shards.Count - 1:D6}}}.tar'");
        return 0;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out int v) ? v : fallback;
    }
}
