using System.Buffers;

namespace SelectBench.Evaluation.Corruptions;

/// <summary>
/// Elastic deformation, as bethgelab/imagecorruptions corruptions.py elastic_transform (a modification of
/// gist erniejunior/601cdf56d2b424757de5): displacement fields dx, dy = alpha · gaussian(U(-m, m)) with
/// m = 0.005·H, sigma = 0.01·(H, W) per axis, skimage gaussian mode 'reflect', truncate 3; then
/// map_coordinates(order=1, mode='reflect') samples the image at (y + dy, x + dx), one field for all
/// channels. alpha = 250·{0.05, 0.065, 0.085, 0.1, 0.12} per severity.
/// hendrycks/robustness make_imagenet_c.py elastic_transform adds a random affine warp whose constants
/// are tied to 224 (244·c, with the 244 typo); imagecorruptions dropped the affine step and made the field
/// scale with the image, which is the generalisation we follow.
/// Bilinear sampling reads neighbours beyond the border by half-sample reflection (dcba|abcd|dcba).
/// On small images sigma is below a pixel (0.28 at 28 px), so the field is nearly uncorrelated and the
/// deformation is a local scatter; that is the reference's behaviour at that size.
/// </summary>
public sealed class ElasticTransform : Corruption
{
    public static readonly double[] Alpha = [250 * 0.05, 250 * 0.065, 250 * 0.085, 250 * 0.1, 250 * 0.12];

    public override string Name => "elastic_transform";

    protected override void Corrupt(ReadOnlySpan<byte> image, Span<byte> output, ImageShape shape, int severity, CorruptionRandom rng)
    {
        double alpha = Alpha[severity - 1];
        int h = shape.Height, w = shape.Width, plane = shape.PlaneSize;
        double maxShift = h * 0.005; // the reference uses shape[0] for both max_dx and max_dy
        double sigmaRows = h * 0.01, sigmaColumns = w * 0.01;
        float[] rented = ArrayPool<float>.Shared.Rent(2 * plane + shape.Size);
        try
        {
            Span<float> dx = rented.AsSpan(0, plane), dy = rented.AsSpan(plane, plane), result = rented.AsSpan(2 * plane, shape.Size);
            for (int i = 0; i < plane; i++) dx[i] = (float)rng.Uniform(-maxShift, maxShift);
            for (int i = 0; i < plane; i++) dy[i] = (float)rng.Uniform(-maxShift, maxShift);
            GaussianFilter.Apply(dx, h, w, sigmaRows, sigmaColumns, BorderMode.Reflect, truncate: 3);
            GaussianFilter.Apply(dy, h, w, sigmaRows, sigmaColumns, BorderMode.Reflect, truncate: 3);
            const float inv = 1f / 255f;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int p = y * w + x;
                    double sy = y + alpha * dy[p], sx = x + alpha * dx[p];
                    int y0 = (int)Math.Floor(sy), x0 = (int)Math.Floor(sx);
                    float fy = (float)(sy - y0), fx = (float)(sx - x0);
                    int ya = GaussianFilter.Extend(y0, h, BorderMode.Reflect), yb = GaussianFilter.Extend(y0 + 1, h, BorderMode.Reflect);
                    int xa = GaussianFilter.Extend(x0, w, BorderMode.Reflect), xb = GaussianFilter.Extend(x0 + 1, w, BorderMode.Reflect);
                    for (int ch = 0; ch < shape.Channels; ch++)
                    {
                        int o = ch * plane;
                        float top = image[o + ya * w + xa] + fx * (image[o + ya * w + xb] - image[o + ya * w + xa]);
                        float bottom = image[o + yb * w + xa] + fx * (image[o + yb * w + xb] - image[o + yb * w + xa]);
                        result[o + p] = (top + fy * (bottom - top)) * inv;
                    }
                }
            CorruptionImage.StoreUnit(result, output);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }
}
