using System.Text.Json.Nodes;
using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Reporting;
using SelectBench.Running;
using SelectBench.Analysis;

namespace SelectBench.Benchmark;

/// <summary>Settings of a curate job, as <see cref="BenchmarkPlan"/> writes them into plan.json.</summary>
/// <param name="Shift">The shift to curate.</param>
/// <param name="Curation">The run's curation section narrowed to this shift (<see cref="RunConfig.CurationJson"/>), bound by <see cref="Config"/>.</param>
/// <param name="ScoreJob">The shift's score job (<see cref="ScoreJobKind"/>) when its strategy has a scoring step; its scores are read from there.</param>
public sealed record CurateJobSettings(string Shift = "", JsonObject Curation = null!, string? ScoreJob = null) : ISettings
{
    public void Validate(string where)
    {
        SettingRules.NotEmpty(where, "shift", Shift);
        if (Curation is null) throw new SelectBenchException($"{where}: curation settings are missing.");
    }

    /// <summary>The curation section as a <see cref="CurationConfig"/>, checked like a curation config file.</summary>
    public CurationConfig Config(string where) =>
        CurationConfig.FromSection(SettingsBinder.ParseJson(Curation.ToJsonString(), where), where);
}

/// <summary>Curates one shift from the world (CurationRun), saves it with its audit and a labelled sample grid.</summary>
[Registered(KindName, Description = "Curates one shift from the world and saves it with its audit and a sample grid", Settings = typeof(CurateJobSettings))]
public sealed class CurateJobKind(CurateJobSettings settings) : IJobKind
{
    public const string KindName = "curate";

    /// <param name="Fingerprint">The shift's content fingerprint (shift.json); null in results of older runs.</param>
    public sealed record Result(string Name, string Strategy, int Images, int ClassesPresent, int[] ClassCounts, double Cost,
        double SampleCost, double OverheadCost, int TargetSize, ShiftAuditResult Audit, IReadOnlyList<RemovedCount> Removed,
        IReadOnlyList<string> Warnings, double Seconds, string? Fingerprint = null);

    public void Run(JobContext context)
    {
        var name = settings.Shift;
        var config = settings.Config($"job '{context.Job.Id}' curation");
        using var world = BenchmarkInputs.World(context);
        context.UseEngine();
        var scores = settings.ScoreJob is { } scoreJob ? Path.Combine(context.DependencyFolder(scoreJob), ScoreJobKind.ScoresFolder) : null;
        var curated = CurationRun.Build(world.Curation, config, context.WorkDir, [name], context.Log.WriteLine, context.Cancellation, scores).Single();
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
