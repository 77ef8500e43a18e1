using SelectBench.Cli;
using System.ComponentModel;
using System.Globalization;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Reporting;
using Spectre.Console.Cli;

namespace SelectBench.Cli.Commands;

[CliCommand("data info", "Show a data source: images per class, image size, skipped items, and a sample-grid PNG",
    Examples = ["data info fashion-mnist:test --grid grid.png", "data info ./my-images --resize-crop 256,224 --on-bad-input skip"])]
public sealed class DataInfoCommand : Command<DataInfoCommand.Settings>
{
    public sealed class Settings : DecodingSettings
    {
        [CommandArgument(0, "<source>")]
        [Description("A name (fashion-mnist, fashion-mnist:test) or a path: image-set folder, IDX, CIFAR folder, .tar shards ({00000..00009}.tar), .parquet, ImageFolder tree; add :train/:test for a split")]
        public string Source { get; init; } = "";

        [CommandOption("--grid <PNG>")]
        [Description("Write a sample grid (rows = classes) to this PNG file")]
        public string? Grid { get; init; }

        [CommandOption("--per-class <N>")]
        [Description("Images per class in the grid")]
        [DefaultValue(8)]
        public int PerClass { get; init; } = 8;

        [CommandOption("--seed <SEED>")]
        [Description("Seed for choosing the grid's images")]
        [DefaultValue(0)]
        public int Seed { get; init; }



        [CommandOption("--resize-crop <S,C>")]
        [Description("Resize the shorter side to S, then center-crop C x C")]
        public string? ResizeCrop { get; init; }


        [CommandOption("--max-image-pixels <N>")]
        [Description("Refuse encoded images declaring more pixels than this (decompression-bomb guard)")]
        [DefaultValue(DataLoadOptions.DefaultMaxImagePixels)]
        public long MaxImagePixels { get; init; } = DataLoadOptions.DefaultMaxImagePixels;

        [CommandOption("--image-column <NAME>")]
        [Description("Parquet image column (HF image struct or binary)")]
        [DefaultValue("image")]
        public string ImageColumn { get; init; } = "image";

        [CommandOption("--label-column <NAME>")]
        [Description("Parquet label column (int or string)")]
        [DefaultValue("label")]
        public string LabelColumn { get; init; } = "label";

        [CommandOption("--no-cache")]
        [Description("Decode the source again instead of using or writing the decoded-set cache")]
        public bool NoCache { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = ToOptions(settings);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = DataSources.Load(settings.Source, options);
        var set = result.Images;
        Console.WriteLine($"source:  {result.Description}");
        Console.WriteLine($"images:  {set.Count:N0} of {set.Channels}x{set.Height}x{set.Width} (C x H x W), {set.LabelSet.Count} classes");
        Console.WriteLine($"loaded:  {clock.Elapsed.TotalSeconds:F2} s{(result.FromCache ? " from cache" : "")}{(result.CacheFolder != null ? $" ({result.CacheFolder})" : "")}");
        var counts = set.ClassCounts();
        int nameWidth = Math.Max(5, set.LabelSet.Names.Max(n => n.Length));
        Console.WriteLine();
        Console.WriteLine($"{"index",5}  {"class".PadRight(nameWidth)}  {"images",8}  {"share",6}");
        for (int c = 0; c < counts.Length; c++)
        {
            double share = set.Count == 0 ? 0 : 100.0 * counts[c] / set.Count;
            Console.WriteLine($"{c,5}  {set.LabelSet.Names[c].PadRight(nameWidth)}  {counts[c],8:N0}  {share.ToString("F1", CultureInfo.InvariantCulture),5}%");
        }
        Console.WriteLine();
        Console.WriteLine($"skipped: {result.Skipped.Count}");
        foreach (var s in result.Skipped.Take(20)) Console.WriteLine($"  {s}");
        if (result.Skipped.Count > 20) Console.WriteLine($"  ... and {result.Skipped.Count - 20} more (all are listed in the cache manifest)");
        if (settings.Grid != null)
        {
            var rows = SampleGrid.ByClass(set, settings.PerClass, settings.Seed);
            SampleGrid.Write(settings.Grid, rows, new SampleGridOptions(Title: $"{settings.Source}: {set.Count:N0} images, {settings.PerClass} per class"));
            Console.WriteLine($"grid:    {Path.GetFullPath(settings.Grid)}");
        }
        return 0;
    }

    internal static DataLoadOptions ToOptions(Settings s)
    {
        var policy = DataOptions.Policy(s.OnBadInput);
        if (s.PerClass <= 0) throw new SelectBenchException($"--per-class must be positive, not {s.PerClass}.");
        if (s.Resize != null && s.ResizeCrop != null) throw new SelectBenchException("Give --resize or --resize-crop, not both.");
        int channels = s.Grey ? 1 : 3;
        ImageTransform transform = new(Channels: channels);
        if (s.Resize is { } size)
        {
            if (size <= 0) throw new SelectBenchException($"--resize must be positive, not {size}.");
            transform = ImageTransform.Resize(size, channels);
        }
        else if (s.ResizeCrop != null)
        {
            var parts = s.ResizeCrop.Split(',');
            if (parts.Length != 2 || !int.TryParse(parts[0], out var shorter) || !int.TryParse(parts[1], out var crop) || crop <= 0 || shorter < crop)
                throw new SelectBenchException($"--resize-crop takes 'S,C' with S >= C > 0 (e.g. 256,224), not '{s.ResizeCrop}'.");
            transform = ImageTransform.ResizeThenCenterCrop(shorter, crop, channels);
        }
        return new DataLoadOptions(policy, transform, s.MaxImagePixels, Parquet: new ParquetColumns(s.ImageColumn, s.LabelColumn), UseCache: !s.NoCache);
    }
}
