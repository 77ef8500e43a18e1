using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Curation.Strategies;

/// <param name="Source">A data source holding a shift curated elsewhere (e.g. the paper's ImageNet++ shards:
/// "/data/imagenet-pp/la1000-img2img/{000000..001234}.tar").</param>
/// <param name="ImageSize">Resize every image to this square side (0 = keep); match the world's size.</param>
/// <param name="Channels">1 (grey) or 3 (RGB).</param>
/// <param name="CostPerImage">What one image of this shift cost to make, in the cost model's currency.</param>
/// <param name="MaxImages">Keep at most this many (a seeded random subset); null = all of them.</param>
/// <param name="OnBadInput">"fail" or "skip" corrupt images.</param>
/// <param name="InMemoryLimitMb">Above this many MiB of decoded pixels a streaming import (WebDataset shards) is kept
/// out-of-core in a sharded store (docs/data.md "Out-of-core sets"); the world's `data.in_memory_limit_mb` for imports.</param>
public sealed record ImportSettings(string Source = "", int ImageSize = 0, int Channels = 3, double CostPerImage = 0,
    int? MaxImages = null, string OnBadInput = "fail", int InMemoryLimitMb = (int)(DataLoadOptions.DefaultInMemoryLimit >> 20)) : ISettings
{
    public void Validate(string where)
    {
        SettingRules.NotEmpty(where, "source", Source);
        if (ImageSize < 0) throw new SelectBenchException($"{where}.image_size: {ImageSize} is not allowed; give 0 (keep each image's size) or a positive side.");
        if (Channels is not (1 or 3)) throw new SelectBenchException($"{where}.channels: {Channels}; use 1 (grey) or 3 (RGB).");
        SettingRules.NonNegative(where, "cost_per_image", CostPerImage);
        if (MaxImages is { } m) SettingRules.Positive(where, "max_images", m);
        SettingRules.OneOf(where, "on_bad_input", OnBadInput, "fail", "skip");
        SettingRules.Positive(where, "in_memory_limit_mb", InMemoryLimitMb);
    }
}

/// <summary>
/// A shift made elsewhere, taken as it is: the paper's released ImageNet++ shards, or a data team's own
/// candidate set. Labels are read against the run's label set (class names must match); true labels are
/// unknown, so the noise audit reports n/a and the label-quality metric estimates noise instead.
/// </summary>
[Registered("import", Settings = typeof(ImportSettings),
    Description = "A shift curated elsewhere (e.g. ImageNet++ shards), read from any data source as it is")]
public sealed class ImportShift(ImportSettings settings) : IShiftStrategy
{
    public string Name => "import";
    public ImportSettings Settings { get; } = settings;

    public Shift Build(CurationContext context)
    {
        var transform = Settings.ImageSize > 0
            ? ImageTransform.Resize(Settings.ImageSize, Settings.Channels)
            : ImageTransform.AsIs with { Channels = Settings.Channels };
        var loaded = DataSources.Load(Settings.Source, new DataLoadOptions(
            OnBadInput: Settings.OnBadInput == "skip" ? BadInputPolicy.Skip : BadInputPolicy.Fail, Transform: transform, LabelSet: context.Labels,
            InMemoryLimit: (long)Settings.InMemoryLimitMb << 20));
        var images = loaded.Images.MapLabelsInto(context.Labels, Settings.Source);
        var warnings = loaded.Skipped.Select(s => $"skipped {s}").ToList();
        if (Settings.MaxImages is { } max && images.Count > max)
        {
            var order = Enumerable.Range(0, images.Count).ToArray();
            context.RandomFor("import").Shuffle(order);
            var kept = order.Take(max).ToArray();
            Array.Sort(kept);
            images = images.Select(kept);
        }
        var provenance = images.Ids.Select(id => new SampleProvenance($"import:{Settings.Source}", id, Cost: Settings.CostPerImage)).ToArray();
        var notes = new List<string> { $"imported {images.Count:N0} images from {Settings.Source}" };
        return ShiftAssembly.Create(Name, context, images, provenance, 0, notes, warnings);
    }
}
