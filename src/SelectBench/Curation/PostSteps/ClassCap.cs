using SelectBench.Common;

namespace SelectBench.Curation.PostSteps;

/// <param name="ClassCap">Keep at most this many images per class; null = off.</param>
public sealed record ClassCapSettings(int? ClassCap = null) : ISettings
{
    public void Validate(string where)
    {
        if (ClassCap is { } c) SettingRules.Positive(where, "class_cap", c);
    }
}

/// <summary>Class capping: keep the first images of each class in shift order.</summary>
[Registered("class-cap", Settings = typeof(ClassCapSettings),
    Description = "Keep at most class_cap images per class, the first ones in shift order")]
public sealed class ClassCap(ClassCapSettings settings) : IPostStep
{
    public ClassCapSettings Settings { get; } = settings;

    public PostStepOutcome? Run(Shift shift, CurationContext context) =>
        Settings.ClassCap is { } cap
            ? new PostStepOutcome(Keep(shift.Images.Labels, context.Labels.Count, cap), $"class cap {cap}")
            : null;

    public static int[] Keep(IReadOnlyList<int> labels, int classCount, int cap)
    {
        var seen = new int[classCount];
        var keep = new List<int>(labels.Count);
        for (int i = 0; i < labels.Count; i++)
            if (seen[labels[i]]++ < cap) keep.Add(i);
        return keep.ToArray();
    }

    /// <summary>The balancing cap: the smallest count among classes present (absent classes cannot be balanced up).</summary>
    public static int BalanceCap(IReadOnlyList<int> labels, int classCount)
    {
        var counts = new int[classCount];
        foreach (var l in labels) counts[l]++;
        var present = counts.Where(c => c > 0).ToList();
        return present.Count == 0 ? 0 : present.Min();
    }
}

/// <param name="Balance">Cap every class at the smallest present class's count.</param>
public sealed record BalanceSettings(bool Balance = false) : ISettings
{
    public void Validate(string where) { }
}

/// <summary>Class balancing: cap every class at the count of the smallest class present.</summary>
[Registered("balance", Settings = typeof(BalanceSettings),
    Description = "Cap every class at the smallest present class's count, keeping the first images in shift order")]
public sealed class ClassBalance(BalanceSettings settings) : IPostStep
{
    public BalanceSettings Settings { get; } = settings;

    public PostStepOutcome? Run(Shift shift, CurationContext context)
    {
        if (!Settings.Balance) return null;
        var labels = shift.Images.Labels;
        int balance = ClassCap.BalanceCap(labels, context.Labels.Count);
        return new PostStepOutcome(ClassCap.Keep(labels, context.Labels.Count, balance), $"balance to {balance} per class");
    }
}
