namespace SelectBench.Encoders;

/// <summary>
/// The per-channel RGB mean and standard deviation, in [0, 1], with which OpenAI CLIP normalises its input
/// (openai/CLIP clip/clip.py, <c>_transform</c>; the same values are Hugging Face's OPENAI_CLIP_MEAN /
/// OPENAI_CLIP_STD and the ones torchmetrics' CLIP-IQA applies). Every CLIP image tower exported from those
/// weights expects them, not ImageNet's.
/// </summary>
public static class ClipStatistics
{
    public static float[] Mean => [0.48145466f, 0.4578275f, 0.40821073f];
    public static float[] Std => [0.26862954f, 0.26130258f, 0.27577711f];
}
