using SelectBench.Common;

namespace SelectBench.Evaluation.Corruptions;

/// <summary>
/// The 15 ImageNet-C corruptions (Hendrycks and Dietterich, ICLR 2019), in the reference order of
/// bethgelab/imagecorruptions __init__.py corruption_tuple[:15] (get_corruption_names('common')). This
/// list is the one source of truth for which corruptions exist, their names and their order; a
/// corruption's index here also enters its per-image seeds.
/// </summary>
public static class Corruptions
{
    public static IReadOnlyList<Corruption> All { get; } =
    [
        new GaussianNoise(),
        new ShotNoise(),
        new ImpulseNoise(),
        new DefocusBlur(),
        new GlassBlur(),
        new MotionBlur(),
        new ZoomBlur(),
        new Snow(),
        new Frost(),
        new Fog(),
        new Brightness(),
        new Contrast(),
        new ElasticTransform(),
        new Pixelate(),
        new JpegCompression(),
    ];

    public static IReadOnlyList<string> Names { get; } = All.Select(c => c.Name).ToArray();

    /// <summary>Severities 1..5 as in ImageNet-C.</summary>
    public static IReadOnlyList<int> Severities { get; } = [1, 2, 3, 4, 5];

    public static int IndexOf(string name)
    {
        for (int i = 0; i < All.Count; i++)
            if (All[i].Name == name) return i;
        return -1;
    }

    public static Corruption Get(string name)
    {
        int i = IndexOf(name);
        if (i < 0)
            throw new SelectBenchException($"unknown corruption '{name}'; known corruptions: {string.Join(", ", Names)}.");
        return All[i];
    }
}
