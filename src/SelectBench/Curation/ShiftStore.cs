using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Curation;

/// <summary>
/// A shift on disk: <c>images/</c> (an <see cref="ImageSetStore"/> folder with provenance) and
/// <c>shift.json</c> (name, strategy, costs, report), written last so a folder without it is incomplete.
/// </summary>
public static class ShiftStore
{
    private const string ShiftFile = DataSources.ShiftFile, ImagesFolder = DataSources.ShiftImagesFolder;

    /// <summary>The JSON summary beside the images.</summary>
    public sealed record ShiftSummary(string Name, string Strategy, int Images, int ClassesPresent,
                                      double SampleCost, double OverheadCost, double TotalCost, CurationReport Report);

    public static bool Exists(string folder) => File.Exists(Path.Combine(folder, ShiftFile)) && ImageSetStore.Exists(Path.Combine(folder, ImagesFolder));

    public static void Save(Shift shift, string folder)
    {
        Directory.CreateDirectory(folder);
        File.Delete(Path.Combine(folder, ShiftFile));
        ImageSetStore.Save(shift.Images, Path.Combine(folder, ImagesFolder), $"shift '{shift.Name}' ({shift.Strategy})");
        AtomicFile.WriteJson(Path.Combine(folder, ShiftFile), new ShiftSummary(
            shift.Name, shift.Strategy, shift.Images.Count, shift.Report.ClassesPresent,
            shift.SampleCost, shift.OverheadCost, shift.TotalCost, shift.Report));
    }

    public static Shift Load(string folder)
    {
        var path = Path.Combine(folder, ShiftFile);
        if (!File.Exists(path))
            throw new SelectBenchException($"{folder}: not a saved shift (no {ShiftFile}). It may be incomplete from a killed run; delete it and curate again.");
        var summary = Json.Read<ShiftSummary>(path);
        var images = ImageSetStore.Load(Path.Combine(folder, ImagesFolder));
        if (images.Provenance == null)
            throw new BadInputException(Path.Combine(folder, ImagesFolder), "has no provenance; a shift needs one record per sample. Curate it again.");
        return new Shift(summary.Name, summary.Strategy, images, summary.OverheadCost, summary.Report);
    }
}
