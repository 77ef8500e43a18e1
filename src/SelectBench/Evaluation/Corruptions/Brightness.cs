namespace SelectBench.Evaluation.Corruptions;

/// <summary>
/// Adds c to the HSV value channel, clipped to 1 (skimage rgb2hsv / hsv2rgb). With hue and saturation
/// fixed, RGB scales with V, so the colour is multiplied by min(V + c, 1) / V; a black pixel (V = 0,
/// S = 0 in skimage) becomes grey c. A grey image takes the reference's 2-D branch, clip(x + c), which is
/// the same formula. c per severity from bethgelab/imagecorruptions corruptions.py brightness.
/// </summary>
public sealed class Brightness : Corruption
{
    public static readonly double[] Shift = [0.1, 0.2, 0.3, 0.4, 0.5];

    public override string Name => "brightness";

    protected override void Corrupt(ReadOnlySpan<byte> image, Span<byte> output, ImageShape shape, int severity, CorruptionRandom rng)
    {
        double c = Shift[severity - 1];
        if (shape.Channels == 1)
        {
            for (int i = 0; i < image.Length; i++)
            {
                double v = image[i] / 255.0 + c;
                output[i] = v >= 1 ? (byte)255 : (byte)(v * 255);
            }
            return;
        }
        int plane = shape.PlaneSize;
        for (int i = 0; i < plane; i++)
        {
            double r = image[i] / 255.0, g = image[plane + i] / 255.0, b = image[2 * plane + i] / 255.0;
            double value = Math.Max(r, Math.Max(g, b));
            double newValue = Math.Min(value + c, 1.0);
            if (value <= 0)
            {
                byte grey = newValue >= 1 ? (byte)255 : (byte)(newValue * 255);
                output[i] = output[plane + i] = output[2 * plane + i] = grey;
                continue;
            }
            double scale = newValue / value;
            output[i] = ToByte(r * scale);
            output[plane + i] = ToByte(g * scale);
            output[2 * plane + i] = ToByte(b * scale);
        }
    }

    private static byte ToByte(double v) => v <= 0 ? (byte)0 : v >= 1 ? (byte)255 : (byte)(v * 255);
}
