using SelectBench.Data;

namespace SelectBench.Curation.Generators;

/// <summary>
/// A class-conditional image generator with the two modes of SELECT's SD1000 shifts (DESIGN section 3):
/// class prompts (txt2img: "A photo of {class}") and image prompts with a strength s (img2img: each
/// baseline image is partly noised or encoded and regenerated under its class, keeping its label).
/// Output sets carry <see cref="SampleProvenance"/> with Source "generator:&lt;name&gt;", the per-image
/// generator seed, and the prompt in Note.
/// </summary>
public interface IImageGenerator
{
    string Name { get; }

    /// <summary>Generates <c>perClassCounts[c]</c> images of class c of <paramref name="labels"/>, labelled c.</summary>
    ImageSet FromClassPrompts(LabelSet labels, int[] perClassCounts, long seed);

    /// <summary>
    /// Regenerates each prompt image under its own class with strength in [0, 1]: 0 keeps the prompt,
    /// 1 ignores it. The output keeps the prompts' labels and label set.
    /// </summary>
    ImageSet FromImagePrompts(ImageSet prompts, double strength, long seed);
}
