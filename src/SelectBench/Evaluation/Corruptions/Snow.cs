using System.Buffers;

namespace SelectBench.Evaluation.Corruptions;

/// <summary>
/// Snow: a thresholded, zoomed Gaussian noise layer streaked by motion blur, added twice (the layer and
/// its 180° rotation) to an image whitened towards its greyscale. Parameters
/// (loc, scale, zoom, threshold, blur radius, blur sigma, blend) per severity and the steps from
/// bethgelab/imagecorruptions corruptions.py snow (same constants in hendrycks/robustness
/// make_imagenet_c.py, which blurs with ImageMagick where imagecorruptions uses _motion_blur):
/// <list type="number">
/// <item>layer ~ N(loc, scale²) of size H x W; clipped_zoom by the zoom factor (the layer keeps the zoomed size);</item>
/// <item>values below the threshold set to 0, clip to [0, 1];</item>
/// <item>motion blur at an angle ~ U(-135°, -45°), then rounded to 1/255 steps; crop to H x W;</item>
/// <item>x ← blend·x + (1 - blend)·max(x, 1.5·grey(x) + 0.5), grey = OpenCV RGB2GRAY (x itself for 1 channel);</item>
/// <item>clip(x + layer + rot180(layer), 0, 1).</item>
/// </list>
/// </summary>
public sealed class Snow : Corruption
{
    public static readonly (double Loc, double Scale, double Zoom, double Threshold, int BlurRadius, double BlurSigma, double Blend)[] Parameters =
    [
        (0.1, 0.3, 3, 0.5, 10, 4, 0.8),
        (0.2, 0.3, 2, 0.5, 12, 4, 0.7),
        (0.55, 0.3, 4, 0.9, 12, 8, 0.7),
        (0.55, 0.3, 4.5, 0.85, 12, 8, 0.65),
        (0.55, 0.3, 2.5, 0.85, 12, 12, 0.55),
    ];

    public override string Name => "snow";

    protected override void Corrupt(ReadOnlySpan<byte> image, Span<byte> output, ImageShape shape, int severity, CorruptionRandom rng)
    {
        var p = Parameters[severity - 1];
        int h = shape.Height, w = shape.Width, plane = shape.PlaneSize;
        int zh = Math.Max(ClippedZoom.ZoomedSize(h, p.Zoom), h), zw = Math.Max(ClippedZoom.ZoomedSize(w, p.Zoom), w);
        int zoomed = zh * zw;
        float[] rented = ArrayPool<float>.Shared.Rent(plane + 2 * zoomed + shape.Size);
        try
        {
            Span<float> noise = rented.AsSpan(0, plane);
            Span<float> layer = rented.AsSpan(plane, zoomed);
            Span<float> streaked = rented.AsSpan(plane + zoomed, zoomed);
            Span<float> x = rented.AsSpan(plane + 2 * zoomed, shape.Size);

            for (int i = 0; i < plane; i++) noise[i] = (float)(p.Loc + p.Scale * rng.NextNormal());
            layer.Clear();
            ClippedZoom.Apply(noise, h, w, p.Zoom, layer, zh, zw, accumulate: false);
            for (int i = 0; i < zoomed; i++)
            {
                float v = layer[i];
                layer[i] = v < p.Threshold ? 0f : Math.Min(v, 1f);
            }
            MotionBlurKernel.Apply(layer, streaked, zh, zw, p.BlurRadius, p.BlurSigma, rng.Uniform(-135, -45));
            // np.round(snow_layer * 255).astype(np.uint8) / 255.; numpy rounds half to even.
            for (int i = 0; i < zoomed; i++) streaked[i] = (float)(Math.Round(streaked[i] * 255.0, MidpointRounding.ToEven) / 255.0);

            CorruptionImage.ToUnit(image, x);
            float blend = (float)p.Blend;
            for (int i = 0; i < plane; i++)
            {
                float grey = shape.Channels == 1 ? x[i] : CorruptionImage.Luma601(x[i], x[plane + i], x[2 * plane + i]);
                float whitened = grey * 1.5f + 0.5f;
                int yy = i / w, xx = i - yy * w;
                float snow = streaked[yy * zw + xx] + streaked[(h - 1 - yy) * zw + (w - 1 - xx)];
                for (int ch = 0; ch < shape.Channels; ch++)
                {
                    float v = x[ch * plane + i];
                    x[ch * plane + i] = blend * v + (1 - blend) * Math.Max(v, whitened) + snow;
                }
            }
            CorruptionImage.StoreUnit(x, output);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }
}
