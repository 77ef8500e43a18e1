namespace SelectBench.Evaluation.Corruptions;

/// <summary>
/// (x - mean) * c + mean on [0, 1], the mean taken per channel over the image. c per severity from
/// bethgelab/imagecorruptions corruptions.py contrast (identical in hendrycks/robustness).
/// </summary>
public sealed class Contrast : Corruption
{
    public static readonly double[] Factor = [0.4, 0.3, 0.2, 0.1, 0.05];

    public override string Name => "contrast";

    protected override void Corrupt(ReadOnlySpan<byte> image, Span<byte> output, ImageShape shape, int severity, CorruptionRandom rng)
    {
        double c = Factor[severity - 1];
        int plane = shape.PlaneSize;
        for (int ch = 0; ch < shape.Channels; ch++)
        {
            ReadOnlySpan<byte> src = image.Slice(ch * plane, plane);
            Span<byte> dst = output.Slice(ch * plane, plane);
            long sum = 0;
            foreach (byte b in src) sum += b;
            double mean = sum / 255.0 / plane;
            for (int i = 0; i < plane; i++)
            {
                double v = (src[i] / 255.0 - mean) * c + mean;
                dst[i] = v <= 0 ? (byte)0 : v >= 1 ? (byte)255 : (byte)(v * 255);
            }
        }
    }
}
