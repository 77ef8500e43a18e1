using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Reporting;
using SelectBench.Running;
using SelectBench.Analysis;

namespace SelectBench.Benchmark;

/// <summary>Curates one shift from the world (CurationRun), saves it with its audit and a labelled sample grid.</summary>
public sealed class CurateJobKind : IJobKind
{
    public const string KindName = "curate";
    public string Name => KindName;

    /// <param name="Fingerprint">The shift's content fingerprint (shift.json); null in results of older runs.</param>
    public sealed record Result(string Name, string Strategy, int Images, int ClassesPresent, int[] ClassCounts, double Cost,
        double SampleCost, double OverheadCost, int TargetSize, ShiftAuditResult Audit, IReadOnlyList<RemovedCount> Removed,
        IReadOnlyList<string> Warnings, double Seconds, string? Fingerprint = null);

    public void Run(JobContext context)
    {
        var name = context.Job.Settings["shift"]!.GetValue<string>();
        var where = $"job '{context.Job.Id}' curation";
        var config = CurationConfig.FromSection(SettingsBinder.ParseJson(context.Job.Settings["curation"]!.ToJsonString(), where), where);
        using var world = BenchmarkInputs.World(context);
        context.UseEngine();
        var curated = CurationRun.Build(world.Curation, config, context.WorkDir, [name], context.Log.WriteLine).Single();
        var output = Path.Combine(context.OutputDir, BenchmarkInputs.ShiftFolder);
        BenchmarkInputs.Publish(curated.Folder, output);
        var shift = curated.Shift;
        if (shift.Images.Count > 0)
            ShiftGrid.Write(shift, curated.Audit.NoiseRate, Path.Combine(context.OutputDir, BenchmarkInputs.GridFile));
        context.WriteResult(new Result(name, shift.Strategy, shift.Images.Count, shift.Report.ClassesPresent, shift.Report.ClassCounts,
            shift.TotalCost, shift.SampleCost, shift.OverheadCost, config.TargetSize, curated.Audit, shift.Report.Removed,
            shift.Report.Warnings, curated.Seconds, curated.Fingerprint));
    }
}
