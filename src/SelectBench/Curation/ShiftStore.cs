using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Curation;

/// <summary>
/// A shift on disk: <c>images/</c> (an <see cref="ImageSetStore"/> folder with provenance) and
/// <c>shift.json</c> (name, strategy, costs, report and the shift's content fingerprint), written last so a folder
/// without it is incomplete.
/// </summary>
public static class ShiftStore
{
    private const string ShiftFile = DataSources.ShiftFile, ImagesFolder = DataSources.ShiftImagesFolder;

    /// <summary>The JSON summary beside the images.</summary>
    /// <param name="Fingerprint">The images' <see cref="ContentFingerprint"/> (ids, pixels, labels, label set); null in shifts saved before it existed.</param>
    public sealed record ShiftSummary(string Name, string Strategy, int Images, int ClassesPresent,
                                      double SampleCost, double OverheadCost, double TotalCost, CurationReport Report,
                                      string? Fingerprint = null);

    public static bool Exists(string folder) => File.Exists(Path.Combine(folder, ShiftFile)) && ImageSetStore.Exists(Path.Combine(folder, ImagesFolder));

    /// <summary>Saves the shift and returns its content fingerprint (also written to shift.json).</summary>
    public static string Save(Shift shift, string folder)
    {
        Directory.CreateDirectory(folder);
        File.Delete(Path.Combine(folder, ShiftFile));
        ImageSetStore.Save(shift.Images, Path.Combine(folder, ImagesFolder), $"shift '{shift.Name}' ({shift.Strategy})");
        var fingerprint = ContentFingerprint.Of(shift.Images);
        AtomicFile.WriteJson(Path.Combine(folder, ShiftFile), new ShiftSummary(
            shift.Name, shift.Strategy, shift.Images.Count, shift.Report.ClassesPresent,
            shift.SampleCost, shift.OverheadCost, shift.TotalCost, shift.Report, fingerprint));
        return fingerprint;
    }

    public static Shift Load(string folder) => LoadWithFingerprint(folder).Shift;

    /// <summary>
    /// Loads a shift and its content fingerprint, recomputed from the images and checked against shift.json: a shift
    /// whose images were changed after curation is refused, so a leaderboard never shows a fingerprint its data lacks.
    /// </summary>
    public static (Shift Shift, string Fingerprint) LoadWithFingerprint(string folder)
    {
        var path = Path.Combine(folder, ShiftFile);
        if (!File.Exists(path))
            throw new SelectBenchException($"{folder}: not a saved shift (no {ShiftFile}). It may be incomplete from a killed run; delete it and curate again.");
        var summary = Json.Read<ShiftSummary>(path);
        var images = ImageSetStore.Load(Path.Combine(folder, ImagesFolder));
        if (images.Provenance == null)
            throw new BadInputException(Path.Combine(folder, ImagesFolder), "has no provenance; a shift needs one record per sample. Curate it again.");
        var fingerprint = ContentFingerprint.Of(images);
        if (summary.Fingerprint is { } recorded && recorded != fingerprint)
            throw new BadInputException(folder, $"its images have fingerprint {ContentFingerprint.Short(fingerprint)} but {ShiftFile} records {ContentFingerprint.Short(recorded)}: " +
                                                "they were changed after curation. Curate the shift again.");
        return (new Shift(summary.Name, summary.Strategy, images, summary.OverheadCost, summary.Report), fingerprint);
    }
}
