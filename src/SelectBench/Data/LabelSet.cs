using SelectBench.Common;

namespace SelectBench.Data;

/// <summary>
/// The ordered class names (and ids such as WordNet ids) that every shift and eval set shares.
/// Class index i means <c>Names[i]</c> everywhere in SelectBench.
/// </summary>
public sealed record LabelSet
{
    public IReadOnlyList<string> Names { get; }
    public IReadOnlyList<string> Ids { get; }

    public LabelSet(IReadOnlyList<string> names, IReadOnlyList<string>? ids = null)
    {
        if (names.Count == 0) throw new SelectBenchException("A label set needs at least one class.");
        ids ??= names;
        if (ids.Count != names.Count)
            throw new SelectBenchException($"The label set has {names.Count} names but {ids.Count} ids; give one id per class.");
        var dup = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (dup != null) throw new SelectBenchException($"The label set names class '{dup.Key}' twice; class names must be unique.");
        Names = names.ToArray();
        Ids = ids.ToArray();
    }

    public int Count => Names.Count;

    public int IndexOf(string nameOrId)
    {
        for (int i = 0; i < Names.Count; i++)
            if (Names[i] == nameOrId || Ids[i] == nameOrId) return i;
        return -1;
    }

    /// <summary>Index of a class by name or id, or an error that lists what is allowed.</summary>
    public int Require(string nameOrId, string where)
    {
        int i = IndexOf(nameOrId);
        if (i < 0)
            throw new SelectBenchException(
                $"{where}: class '{nameOrId}' is not in the label set ({string.Join(", ", Names.Take(20))}{(Count > 20 ? ", ..." : "")}).");
        return i;
    }

    public bool SameAs(LabelSet other) => Names.SequenceEqual(other.Names) && Ids.SequenceEqual(other.Ids);

    /// <summary>Fashion-MNIST's ten classes in their official order.</summary>
    public static LabelSet FashionMnist { get; } = new(
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
        ["tshirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle_boot"]);

    public static LabelSet Numbered(int count, string prefix = "class") =>
        new(Enumerable.Range(0, count).Select(i => $"{prefix}{i}").ToArray());
}
