using SelectBench.Data;

namespace SelectBench.Curation.Generators;

/// <summary>
/// A class-conditional image generator with the two modes of the paper's SD1000 shifts: class prompts
/// (txt2img) and image prompts regenerated under their class with strength s (img2img).
/// </summary>
public interface IImageGenerator
{
    string Name { get; }
    ImageSet FromClassPrompts(LabelSet labels, int[] perClassCounts, long seed);
    ImageSet FromImagePrompts(ImageSet prompts, double strength, long seed);
}
