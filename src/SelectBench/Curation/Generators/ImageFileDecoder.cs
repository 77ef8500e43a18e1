using SelectBench.Common;
using SkiaSharp;

namespace SelectBench.Curation.Generators;

/// <summary>
/// Decodes an image file (PNG, JPEG, WebP, BMP, GIF: whatever SkiaSharp reads) to a fixed C x H x W uint8
/// array. The image is stretched to H x W (like torchvision's Resize((h, w))) with mipmapped linear filtering,
/// so large generator outputs (512 px from Stable Diffusion) shrink without aliasing. Transparent pixels are
/// composited over black. Grey is ITU-R BT.601 luma, 0.299 R + 0.587 G + 0.114 B (as PIL's convert("L")).
/// </summary>
internal static class ImageFileDecoder
{
    public static byte[] Decode(string path, int channels, int height, int width, string item)
    {
        if (channels is not (1 or 3))
            throw new SelectBenchException($"images can be decoded to 1 (grey) or 3 (RGB) channels, not {channels}.");
        if (!File.Exists(path)) throw new BadInputException(item, $"image file {path} does not exist.");
        using var source = SKBitmap.Decode(path)
                           ?? throw new BadInputException(item, $"{path} is not a readable image (corrupt or unsupported format).");
        using var target = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(target))
        using (var image = SKImage.FromBitmap(source))
        {
            canvas.Clear(SKColors.Black);
            canvas.DrawImage(image, new SKRect(0, 0, width, height), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        }
        var rgba = target.GetPixelSpan();
        int plane = height * width;
        var result = new byte[channels * plane];
        for (int p = 0; p < plane; p++)
        {
            byte r = rgba[4 * p], g = rgba[4 * p + 1], b = rgba[4 * p + 2];
            if (channels == 1) result[p] = (byte)Math.Round(0.299 * r + 0.587 * g + 0.114 * b);
            else
            {
                result[p] = r;
                result[plane + p] = g;
                result[2 * plane + p] = b;
            }
        }
        return result;
    }
}
