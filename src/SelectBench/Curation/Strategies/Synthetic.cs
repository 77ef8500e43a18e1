using System.Globalization;
using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Curation.Strategies;

/// <param name="Mode">"txt2img" (class prompts, N/K per class) or "img2img" (class-balanced baseline images regenerated at strength s).</param>
/// <param name="Generator">Name of the generator in the context; null = the only one there.</param>
/// <param name="PromptSet">Labelled set the img2img prompt images come from.</param>
/// <param name="Strength">img2img strength s in [0, 1]: 0 keeps the prompt image, 1 ignores it. Default 0.75,
/// the usual Stable Diffusion img2img default (the paper does not state its strength).</param>
/// <param name="PerClass">Images per class; null = N/K.</param>
/// <param name="PromptTemplate">The class prompt recorded for txt2img; the paper's SD1000 used "A photo of {class}".</param>
public sealed record SyntheticSettings(
    string Mode = "txt2img",
    string? Generator = null,
    string PromptSet = "baseline",
    double Strength = 0.75,
    int? PerClass = null,
    string PromptTemplate = "A photo of {class}") : ISettings
{
    public void Validate(string where)
    {
        SettingRules.OneOf(where, "mode", Mode, "txt2img", "img2img");
        SettingRules.NotEmpty(where, "prompt_set", PromptSet);
        SettingRules.InRange(where, "strength", Strength, 0, 1);
        if (PerClass is { } p) SettingRules.Positive(where, "per_class", p);
    }
}

/// <summary>
/// The SD1000 analogues: a class-conditional generator samples N/K images per class from class prompts
/// (txt2img), or regenerates class-balanced baseline images under their class at strength s (img2img),
/// keeping each prompt image's label. The generator itself is pluggable (<see cref="Generators.IImageGenerator"/>).
/// Each image costs one generation.
/// </summary>
[Registered("synthetic", Settings = typeof(SyntheticSettings),
    Description = "SD1000 analogues: a class-conditional generator, from class prompts (txt2img) or baseline images (img2img)")]
public sealed class Synthetic(SyntheticSettings settings) : IShiftStrategy
{
    public string Name => "synthetic";
    public SyntheticSettings Settings { get; } = settings;

    public Shift Build(CurationContext context)
    {
        var s = Settings;
        var generator = context.RequireGenerator(s.Generator);
        int perClass = s.PerClass ?? context.PerClassTarget;
        long seed = context.Seed;
        var warnings = new List<string>();
        ImageSet generated;
        string[] queries;
        context.Progress($"synthetic ({s.Mode}): generate", 0, 1);
        if (s.Mode == "txt2img")
        {
            var counts = Enumerable.Repeat(perClass, context.Labels.Count).ToArray();
            generated = generator.FromClassPrompts(context.Labels, counts, seed);
            Check(generated, counts.Sum(), context, generator.Name);
            queries = generated.Labels.Select(l => s.PromptTemplate.Replace("{class}", context.Labels.Names[l], StringComparison.Ordinal)).ToArray();
        }
        else
        {
            var promptSet = context.RequireSet(s.PromptSet, "synthetic img2img prompts");
            var picked = ClassBalanced.Take(promptSet.Labels, context.Labels.Count, perClass, context.RandomFor("synthetic/prompts"), out var shortfall);
            for (int c = 0; c < shortfall.Length; c++)
                if (shortfall[c] > 0) warnings.Add($"class '{context.Labels.Names[c]}' has only {perClass - shortfall[c]} prompt images in '{s.PromptSet}'.");
            var prompts = promptSet.Select(picked);
            generated = generator.FromImagePrompts(prompts, s.Strength, seed);
            Check(generated, prompts.Count, context, generator.Name);
            for (int i = 0; i < prompts.Count; i++)
                if (generated.Labels[i] != prompts.Labels[i])
                    throw new SelectBenchException($"generator '{generator.Name}': img2img image {i} has label {generated.Labels[i]} but its prompt has {prompts.Labels[i]}; img2img must keep the prompt's label.");
            queries = prompts.Ids;
        }
        context.Progress($"synthetic ({s.Mode}): generate", 1, 1);

        double unit = context.Costs.GeneratedImage;
        var provenance = new SampleProvenance[generated.Count];
        for (int i = 0; i < generated.Count; i++)
        {
            var own = generated.Provenance?[i];
            string prompt = s.Mode == "txt2img" ? $"prompt '{queries[i]}'" : $"image prompt {queries[i]}, strength {s.Strength.ToString("0.###", CultureInfo.InvariantCulture)}";
            provenance[i] = new SampleProvenance(
                Source: $"generator:{generator.Name}", SourceId: generated.Ids[i], QueryId: queries[i],
                GeneratorSeed: own?.GeneratorSeed ?? seed,
                TrueLabel: SampleProvenance.UnknownLabel,
                Cost: unit, Simulated: own?.Simulated ?? false,
                // A generator that records its own prompt note keeps it; the img2img strength is always stated.
                Note: own?.Note is { } note ? (s.Mode == "img2img" ? $"{note}; strength {s.Strength.ToString("0.###", CultureInfo.InvariantCulture)}" : note) : prompt);
        }
        var notes = new List<string> { $"{generated.Count} images from generator '{generator.Name}' ({s.Mode}, {perClass} per class, seed {seed})." };
        return ShiftAssembly.Create(Name, context, generated, provenance, 0, notes, warnings);
    }

    private static void Check(ImageSet generated, int expected, CurationContext context, string name)
    {
        if (generated.Count != expected)
            throw new SelectBenchException($"generator '{name}' returned {generated.Count} images; {expected} were asked for.");
        if (!generated.LabelSet.SameAs(context.Labels))
            throw new SelectBenchException($"generator '{name}' returned images in a different label set than the run's.");
    }
}
