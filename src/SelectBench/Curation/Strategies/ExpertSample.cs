using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Curation.Strategies;

/// <param name="Source">Name of the labelled set to sample (the expert reservoir).</param>
/// <param name="PerClass">Images per class; null means N/K.</param>
/// <param name="AllowShortfall">When a class has too few images: false = error, true = take all it has and warn.</param>
public sealed record ExpertSettings(string Source = "baseline", int? PerClass = null, bool AllowShortfall = false) : ISettings
{
    public void Validate(string where)
    {
        SettingRules.NotEmpty(where, "source", Source);
        if (PerClass is { } p) SettingRules.Positive(where, "per_class", p);
    }
}

/// <summary>
/// The IN1000 analogue: a seeded class-balanced sample (N/K per class) of an expert-labelled set.
/// Labels are taken as ground truth; each sample costs one expert label.
/// </summary>
[Registered("expert", Settings = typeof(ExpertSettings),
    Description = "IN1000 analogue: a seeded class-balanced sample of an expert-labelled set")]
public sealed class ExpertSample(ExpertSettings settings) : IShiftStrategy
{
    public string Name => "expert";
    public ExpertSettings Settings { get; } = settings;

    public Shift Build(CurationContext context)
    {
        var source = context.RequireSet(Settings.Source, "expert source");
        int perClass = Settings.PerClass ?? context.PerClassTarget;
        var picked = ClassBalanced.Take(source.Labels, context.Labels.Count, perClass, context.RandomFor("expert"), out var shortfall);
        var warnings = new List<string>();
        for (int c = 0; c < shortfall.Length; c++)
        {
            if (shortfall[c] == 0) continue;
            string msg = $"class '{context.Labels.Names[c]}' has {perClass - shortfall[c]} images in '{Settings.Source}', fewer than the {perClass} asked for";
            if (!Settings.AllowShortfall)
                throw new BadInputException(Settings.Source, msg + ". Lower per_class or set allow_shortfall: true.");
            warnings.Add(msg + "; took all of them.");
        }
        var images = source.Select(picked);
        var provenance = new SampleProvenance[picked.Count];
        for (int k = 0; k < picked.Count; k++)
        {
            int i = picked[k];
            int truth = ShiftAssembly.TrueLabelOf(source, i);
            provenance[k] = new SampleProvenance(
                Source: $"set:{Settings.Source}", SourceId: source.Ids[i],
                TrueLabel: truth == SampleProvenance.UnknownLabel ? source.Labels[i] : truth,
                Cost: context.Costs.ExpertLabel);
        }
        var notes = new List<string> { $"class-balanced sample of {perClass} per class from '{Settings.Source}' ({source.Count} images)." };
        return ShiftAssembly.Create(Name, context, images, provenance, 0, notes, warnings);
    }
}
