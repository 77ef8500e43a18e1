using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Curation.Crowd;

/// <summary>
/// A schema-mapping table resolved against a source taxonomy and the run's label set.
/// <see cref="TargetOf"/>[s] is the class index of source label s, or <see cref="Unmapped"/>.
/// </summary>
/// <param name="Ambiguous">Source labels with conflicting rows (two different targets, or a target and none): dropped.</param>
/// <param name="MappedToNone">Source labels whose row says "none".</param>
/// <param name="WithoutRow">Source labels the table does not mention: treated as unmapped.</param>
public sealed record SchemaMapping(
    IReadOnlyList<string> SourceTaxonomy,
    int[] TargetOf,
    IReadOnlyList<string> Ambiguous,
    IReadOnlyList<string> MappedToNone,
    IReadOnlyList<string> WithoutRow)
{
    public const int Unmapped = -1;

    /// <summary>
    /// Resolves rows. Many-to-one rows are fine. A row naming a target class outside the label set, or a
    /// source label outside the taxonomy, is an error naming the row (1-based). Target names "", "none",
    /// "-" and null mean "maps to no class".
    /// </summary>
    public static SchemaMapping Resolve(IReadOnlyList<string> sourceTaxonomy, IReadOnlyList<SchemaMappingRow> rows, LabelSet labels)
    {
        var sourceIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int s = 0; s < sourceTaxonomy.Count; s++)
            if (!sourceIndex.TryAdd(sourceTaxonomy[s], s))
                throw new BadInputException($"source taxonomy entry {s + 1}", $"'{sourceTaxonomy[s]}' appears twice; source labels must be unique.");

        var targets = Enumerable.Range(0, sourceTaxonomy.Count).Select(_ => new HashSet<int>()).ToArray();
        for (int r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            string item = $"mapping row {r + 1} ('{row.SourceLabel}' -> '{row.TargetLabel ?? "none"}')";
            if (!sourceIndex.TryGetValue(row.SourceLabel, out int s))
                throw new BadInputException(item, $"source label '{row.SourceLabel}' is not in the source taxonomy.");
            if (IsNone(row.TargetLabel)) { targets[s].Add(Unmapped); continue; }
            int t = labels.IndexOf(row.TargetLabel!);
            if (t < 0)
                throw new BadInputException(item, $"target class '{row.TargetLabel}' is not in the label set ({string.Join(", ", labels.Names.Take(20))}{(labels.Count > 20 ? ", ..." : "")}). Fix the row or map it to none.");
            targets[s].Add(t);
        }

        var targetOf = new int[sourceTaxonomy.Count];
        var ambiguous = new List<string>();
        var none = new List<string>();
        var withoutRow = new List<string>();
        for (int s = 0; s < sourceTaxonomy.Count; s++)
        {
            targetOf[s] = Unmapped;
            if (targets[s].Count == 0) withoutRow.Add(sourceTaxonomy[s]);
            else if (targets[s].Count > 1) ambiguous.Add(sourceTaxonomy[s]);
            else if (targets[s].Single() == Unmapped) none.Add(sourceTaxonomy[s]);
            else targetOf[s] = targets[s].Single();
        }
        return new SchemaMapping(sourceTaxonomy.ToArray(), targetOf, ambiguous, none, withoutRow);
    }

    private static bool IsNone(string? target) =>
        target is null || target.Trim() is "" or "none" or "-";

    public int SourceIndex(string sourceLabel)
    {
        for (int s = 0; s < SourceTaxonomy.Count; s++) if (SourceTaxonomy[s] == sourceLabel) return s;
        return -1;
    }
}
