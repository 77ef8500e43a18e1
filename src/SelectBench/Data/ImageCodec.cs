using SelectBench.Common;
using SkiaSharp;

namespace SelectBench.Data;

/// <summary>A decoded image in SelectBench's layout: uint8, channels x height x width.</summary>
public sealed record DecodedImage(byte[] Pixels, int Channels, int Height, int Width);

/// <summary>
/// Decodes encoded images (JPEG, PNG, WebP, and whatever else Skia reads: BMP, GIF first frame) into
/// C x H x W uint8 with an <see cref="ImageTransform"/>, and encodes C x H x W images back to PNG/JPEG.
/// Decoding is guarded: the declared size (SKCodec.Info, read from the header only) is checked against a
/// pixel cap before any pixel memory is allocated, so a decompression bomb gets an error instead of
/// exhausting memory. EXIF orientation is not applied, matching torchvision's PIL loader.
/// </summary>
public static class ImageCodec
{
    public static DecodedImage Decode(ReadOnlySpan<byte> encoded, string item, ImageTransform transform, long maxPixels)
    {
        if (encoded.Length == 0) throw new BadInputException(item, "is empty (0 bytes), not an image.");
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data)
            ?? throw new BadInputException(item, "is not a decodable image (JPEG, PNG, WebP, BMP or GIF expected): corrupt or another format.");
        var info = codec.Info;
        long declared = (long)info.Width * info.Height;
        if (info.Width <= 0 || info.Height <= 0)
            throw new BadInputException(item, $"declares an empty size {info.Width}x{info.Height}.");
        if (declared > maxPixels)
            throw new BadInputException(item,
                $"declares {info.Width}x{info.Height} = {declared:N0} pixels, above the cap of {maxPixels:N0} " +
                "(a guard against decompression bombs). Raise the cap (--max-image-pixels) if the image is genuine.");
        var rgbaInfo = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(rgbaInfo);
        var result = codec.GetPixels(rgbaInfo, bitmap.GetPixels());
        if (result == SKCodecResult.IncompleteInput)
            throw new BadInputException(item, $"is truncated: the {codec.EncodedFormat} data ends before the image does.");
        if (result != SKCodecResult.Success)
            throw new BadInputException(item, $"could not be decoded as {codec.EncodedFormat} ({result}): the file is corrupt.");
        return Transform(bitmap, transform);
    }

    /// <summary>Applies resize/crop and channel conversion to a decoded RGBA bitmap.</summary>
    private static DecodedImage Transform(SKBitmap rgba, ImageTransform t)
    {
        int w = rgba.Width, h = rgba.Height;
        SKBitmap current = rgba;
        SKBitmap? resized = null;
        int cropX = 0, cropY = 0, outW = w, outH = h;
        try
        {
            switch (t.Mode)
            {
                case ResizeMode.Stretch:
                    resized = Resize(rgba, t.Width, t.Height);
                    current = resized;
                    outW = t.Width; outH = t.Height;
                    break;
                case ResizeMode.ShorterSideThenCenterCrop:
                    // torchvision Resize(S): the shorter side becomes S, the longer int(S * long / short).
                    int newW, newH;
                    if (w <= h) { newW = t.ResizeShorterSide; newH = (int)((long)t.ResizeShorterSide * h / w); }
                    else { newH = t.ResizeShorterSide; newW = (int)((long)t.ResizeShorterSide * w / h); }
                    if (newW != w || newH != h) { resized = Resize(rgba, newW, newH); current = resized; }
                    // torchvision CenterCrop: top = round((H - h) / 2), left = round((W - w) / 2).
                    cropY = (int)Math.Round((newH - t.Height) / 2.0);
                    cropX = (int)Math.Round((newW - t.Width) / 2.0);
                    outW = t.Width; outH = t.Height;
                    break;
            }
            return ToChw(current, cropX, cropY, outW, outH, t.Channels);
        }
        finally
        {
            resized?.Dispose();
        }
    }

    private static SKBitmap Resize(SKBitmap source, int width, int height) =>
        // Trilinear mipmapped sampling: averages over the source footprint when shrinking (no aliasing).
        source.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul),
                      new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear))
        ?? throw new SelectBenchException($"Skia could not resize a {source.Width}x{source.Height} image to {width}x{height}.");

    private static DecodedImage ToChw(SKBitmap rgba, int x0, int y0, int width, int height, int channels)
    {
        var src = rgba.GetPixelSpan();
        int stride = rgba.RowBytes;
        int plane = width * height;
        var dst = new byte[channels * plane];
        for (int y = 0; y < height; y++)
        {
            var row = src.Slice((y0 + y) * stride + x0 * 4, width * 4);
            int o = y * width;
            if (channels == 3)
            {
                for (int x = 0; x < width; x++)
                {
                    dst[o + x] = row[4 * x];
                    dst[plane + o + x] = row[4 * x + 1];
                    dst[2 * plane + o + x] = row[4 * x + 2];
                }
            }
            else
            {
                // ITU-R BT.601 luma with PIL's weights (Image.convert("L")): L = (299 R + 587 G + 114 B) / 1000.
                for (int x = 0; x < width; x++)
                    dst[o + x] = (byte)((299 * row[4 * x] + 587 * row[4 * x + 1] + 114 * row[4 * x + 2] + 500) / 1000);
            }
        }
        return new DecodedImage(dst, channels, height, width);
    }

    /// <summary>A C x H x W image (C = 1 or 3) as an RGBA bitmap; the caller disposes it.</summary>
    public static SKBitmap ToBitmap(ReadOnlySpan<byte> chw, int channels, int height, int width)
    {
        if (channels is not (1 or 3)) throw new ArgumentException($"only 1 or 3 channels can be shown, not {channels}");
        if (chw.Length != channels * height * width) throw new ArgumentException("pixel count does not match the shape");
        int plane = width * height;
        var rgba = new byte[4 * plane];
        for (int i = 0; i < plane; i++)
        {
            byte r = chw[i];
            rgba[4 * i] = r;
            rgba[4 * i + 1] = channels == 3 ? chw[plane + i] : r;
            rgba[4 * i + 2] = channels == 3 ? chw[2 * plane + i] : r;
            rgba[4 * i + 3] = 255;
        }
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        if (bitmap.RowBytes != 4 * width) { bitmap.Dispose(); throw new SelectBenchException($"unexpected Skia row stride {bitmap.RowBytes} for width {width}"); }
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        return bitmap;
    }

    /// <summary>Encodes a C x H x W image as PNG (lossless) or JPEG (quality 0-100).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> chw, int channels, int height, int width, SKEncodedImageFormat format = SKEncodedImageFormat.Png, int quality = 95)
    {
        // Grey images are encoded as 8-bit grey (a third of the RGBA PNG size); they decode back to R = G = B.
        using var bitmap = channels == 1 && format != SKEncodedImageFormat.Webp ? GreyBitmap(chw, height, width) : ToBitmap(chw, channels, height, width);
        using var data = bitmap.Encode(format, quality)
            ?? throw new SelectBenchException($"Skia could not encode a {width}x{height} image as {format}.");
        return data.ToArray();
    }

    private static SKBitmap GreyBitmap(ReadOnlySpan<byte> pixels, int height, int width)
    {
        if (pixels.Length != height * width) throw new ArgumentException("pixel count does not match the shape");
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        if (bitmap.RowBytes != width) { bitmap.Dispose(); throw new SelectBenchException($"unexpected Skia row stride {bitmap.RowBytes} for width {width}"); }
        System.Runtime.InteropServices.Marshal.Copy(pixels.ToArray(), 0, bitmap.GetPixels(), pixels.Length);
        return bitmap;
    }
}
