using System.ComponentModel;
using System.Globalization;
using SelectBench.Analysis;
using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Data;
using SelectBench.Reporting;
using Spectre.Console.Cli;

namespace SelectBench.Cli.Commands;

/// <summary>Describes a saved shift: counts, imbalance, ground-truth audit, cost, provenance, and a sample grid.</summary>
[CliCommand("shift info", "Show a curated shift: images per class, imbalance, noise audit, cost, provenance, and a sample-grid PNG",
    Examples = ["shift info worlds/fashion-mnist-plus/curation-n2000/shifts/crowd-schema --grid crowd.png"])]
public sealed class ShiftInfoCommand : Command<ShiftInfoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<shift-folder>")]
        [Description("A shift folder written by 'selectbench curate' (OUT/shifts/<name>)")]
        public string Folder { get; init; } = "";

        [CommandOption("--grid <PNG>")]
        [Description("Write a sample grid (rows = classes; captions mark distractors and wrong labels) to this PNG")]
        public string? Grid { get; init; }

        [CommandOption("--per-class <N>")]
        [Description("Images per class in the grid")]
        [DefaultValue(8)]
        public int PerClass { get; init; } = 8;

        [CommandOption("--seed <SEED>")]
        [Description("Seed for choosing the grid's images")]
        [DefaultValue(0)]
        public int Seed { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(settings.Folder))
            throw new BadInputException(settings.Folder, "the shift folder does not exist; give OUT/shifts/<name> of a 'selectbench curate' run.");
        if (settings.PerClass <= 0) throw new BadInputException("--per-class", $"must be positive, not {settings.PerClass}.");
        var (shift, fingerprint) = ShiftStore.LoadWithFingerprint(settings.Folder);
        var set = shift.Images;
        var labels = set.LabelSet;
        var prov = shift.Provenance;
        var auditPath = Path.Combine(settings.Folder, "audit.json");
        var audit = File.Exists(auditPath) ? Json.Read<ShiftAuditFile>(auditPath).Audit : shift.Audit();
        var counts = shift.Report.ClassCounts;
        var stats = ClassDistribution.Compute(counts, new ClassDistributionSettings(NominalPerClass: Math.Max(1, shift.Report.TargetSize / labels.Count)));
        var inv = CultureInfo.InvariantCulture;

        Console.WriteLine($"shift:     {shift.Name} (strategy {shift.Strategy})");
        Console.WriteLine($"images:    {set.Count:N0} of target {shift.Report.TargetSize:N0}, {set.Channels}x{set.Height}x{set.Width}");
        Console.WriteLine($"fingerprint: {fingerprint}");
        Console.WriteLine();
        int width = Math.Max(5, labels.Names.Max(n => n.Length));
        Console.WriteLine($"{"class".PadRight(width)}  {"images",7}  {"share",6}  {"noise",6}");
        for (int c = 0; c < labels.Count; c++)
        {
            double share = set.Count == 0 ? 0 : 100.0 * counts[c] / set.Count;
            Console.WriteLine($"{labels.Names[c].PadRight(width)}  {counts[c],7:N0}  {share.ToString("F1", inv),5}%  {Percent(audit.PerClassNoiseRate[c]),6}");
        }
        Console.WriteLine();
        Console.WriteLine(string.Create(inv, $"imbalance: coverage {stats.Coverage}/{stats.Classes}, LT@{stats.LongTailThreshold} {stats.LongTailClasses}, largest share {stats.LargestShare:P1}, ratio {stats.ImbalanceRatio:F2}, Gini {stats.Gini:F3}, entropy {stats.NormalisedEntropy:F3}"));
        Console.WriteLine(audit.Audited == 0
            ? "audit:     no hidden true labels in provenance (noise unknown)"
            : string.Create(inv, $"audit:     {audit.Audited:N0} of {audit.Samples:N0} audited; label noise {Percent(audit.NoiseRate)}, distractors {Percent(audit.DistractorRate)}, near-duplicates {audit.Duplicates} (cosine >= {audit.DuplicateThreshold})"));
        Console.WriteLine(string.Create(inv, $"cost:      ${shift.TotalCost:F2} total = ${shift.SampleCost:F2} samples + ${shift.OverheadCost:F2} overhead (${(set.Count == 0 ? 0 : shift.TotalCost / set.Count):F5} per image)"));
        Console.WriteLine($"simulated: {prov.Count(p => p.Simulated):N0} of {prov.Length:N0} samples");
        Console.WriteLine("sources:");
        foreach (var g in prov.GroupBy(p => p.Source).OrderByDescending(g => g.Count()))
            Console.WriteLine($"  {g.Key}: {g.Count():N0}");
        foreach (var r in shift.Report.Removed) Console.WriteLine($"removed:   {r.Count:N0} by {r.Step}");
        foreach (var n in shift.Report.Notes) Console.WriteLine($"note:      {n}");
        foreach (var w in shift.Report.Warnings) Console.WriteLine($"warning:   {w}");
        if (shift.Report.WorkerAccuracies is { Count: > 0 } workers)
            Console.WriteLine(string.Create(inv, $"workers:   {workers.Count} estimated accuracies, mean {workers.Values.Average():F3}, range {workers.Values.Min():F3}-{workers.Values.Max():F3}"));

        if (settings.Grid != null)
        {
            ShiftGrid.Write(shift, audit.NoiseRate, settings.Grid, settings.PerClass, settings.Seed);
            Console.WriteLine($"grid:      {Path.GetFullPath(settings.Grid)}");
        }
        return 0;
    }

    private static string Percent(double rate) =>
        double.IsNaN(rate) ? "n/a" : (100 * rate).ToString("F1", CultureInfo.InvariantCulture) + "%";
}
