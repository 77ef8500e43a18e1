using SkiaSharp;

namespace SelectBench.Evaluation.Corruptions;

/// <summary>
/// JPEG round trip at a low quality. Quality per severity from bethgelab/imagecorruptions corruptions.py
/// jpeg_compression, which saves with PIL (libjpeg, 4:2:0 chroma subsampling for RGB) and reloads; we
/// encode and decode with SkiaSharp's libjpeg-turbo at the same quality. hendrycks/robustness
/// make_imagenet_c.py uses the same qualities. A grey image is encoded as a one-channel JPEG: the
/// reference converts L to RGB, encodes and converts back to L, and a grey RGB image has constant chroma,
/// so only the luma channel carries information either way.
/// </summary>
public sealed class JpegCompression : Corruption
{
    public static readonly int[] Quality = [25, 18, 15, 10, 7];

    public override string Name => "jpeg_compression";

    protected override void Corrupt(ReadOnlySpan<byte> image, Span<byte> output, ImageShape shape, int severity, CorruptionRandom rng)
    {
        int h = shape.Height, w = shape.Width, plane = shape.PlaneSize;
        bool grey = shape.Channels == 1;
        var info = new SKImageInfo(w, h, grey ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Opaque);
        byte[] packed = new byte[info.BytesSize];
        if (grey)
            image.CopyTo(packed);
        else
            for (int i = 0; i < plane; i++)
            {
                packed[4 * i] = image[i];
                packed[4 * i + 1] = image[plane + i];
                packed[4 * i + 2] = image[2 * plane + i];
                packed[4 * i + 3] = 255;
            }

        using SKImage source = SKImage.FromPixelCopy(info, packed, info.RowBytes)
            ?? throw new InvalidOperationException($"SkiaSharp could not wrap a {w}x{h} image");
        using SKData encoded = source.Encode(SKEncodedImageFormat.Jpeg, Quality[severity - 1])
            ?? throw new InvalidOperationException($"SkiaSharp could not JPEG-encode a {w}x{h} image");
        using SKBitmap decoded = SKBitmap.Decode(encoded, info)
            ?? throw new InvalidOperationException($"SkiaSharp could not decode its own {w}x{h} JPEG");
        ReadOnlySpan<byte> pixels = decoded.GetPixelSpan();
        int rowBytes = decoded.RowBytes;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                if (grey)
                {
                    output[y * w + x] = pixels[y * rowBytes + x];
                    continue;
                }
                int p = y * rowBytes + 4 * x, i = y * w + x;
                output[i] = pixels[p];
                output[plane + i] = pixels[p + 1];
                output[2 * plane + i] = pixels[p + 2];
            }
    }
}
