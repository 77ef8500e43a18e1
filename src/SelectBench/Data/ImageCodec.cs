using SelectBench.Common;
using SkiaSharp;

namespace SelectBench.Data;

/// <summary>A decoded image in SelectBench's layout: uint8, channels x height x width.</summary>
public sealed record DecodedImage(byte[] Pixels, int Channels, int Height, int Width);

/// <summary>
/// A region decoded by <see cref="ImageCodec.DecodeRgbaRegion"/>: <paramref name="Width"/> x <paramref name="Height"/>
/// RGBA pixels whose top-left is (<paramref name="Left"/>, <paramref name="Top"/>) of the image decoded at
/// <paramref name="ScaleX"/> x <paramref name="ScaleY"/> of its full size.
/// </summary>
public readonly record struct DecodedRegion(int Width, int Height, int Left, int Top, double ScaleX, double ScaleY);

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
        using var data = OpenData(encoded, item);
        using var codec = OpenCodec(data, item, maxPixels);
        using var bitmap = DecodeRgba(codec, codec.Info.Width, codec.Info.Height, item);
        return Transform(bitmap, transform);
    }

    /// <summary>
    /// <see cref="Decode"/> with JPEG DCT scaling: the codec decodes at the smallest size it supports (for JPEG
    /// k/8 of full size, k = 1..8, through libjpeg-turbo's scale_num/scale_denom) that still covers the transform's
    /// intermediate size, so the following resize only ever shrinks. A 1024 px JPEG bound for 256 px decodes at
    /// 1/4 size, about 10x less work. The pixels differ slightly from <see cref="Decode"/> (the IDCT does part of
    /// the shrinking), so in-memory imports keep <see cref="Decode"/> and their byte-identical pixels.
    /// Formats without scaled decoding (PNG, WebP) decode at full size, as in <see cref="Decode"/>.
    /// </summary>
    public static DecodedImage DecodeScaled(ReadOnlySpan<byte> encoded, string item, ImageTransform transform, long maxPixels)
    {
        using var data = OpenData(encoded, item);
        using var codec = OpenCodec(data, item, maxPixels);
        int w = codec.Info.Width, h = codec.Info.Height;
        var (sw, sh) = transform.Mode switch
        {
            ResizeMode.Stretch => ScaledSize(codec, transform.Width, transform.Height),
            ResizeMode.ShorterSideThenCenterCrop => w <= h ? ScaledSize(codec, transform.ResizeShorterSide, 0) : ScaledSize(codec, 0, transform.ResizeShorterSide),
            _ => (w, h),
        };
        using var bitmap = DecodeRgba(codec, sw, sh, item);
        return Transform(bitmap, transform);
    }

    /// <summary>
    /// The image decoded at the smallest codec-supported size whose shorter side is at least
    /// <paramref name="minShortSide"/> (full size when the image is smaller or the format cannot scale), as
    /// C x H x W RGB. docs/training.md "The parallel loader".
    /// </summary>
    public static DecodedImage DecodeScaled(ReadOnlySpan<byte> encoded, int minShortSide, string item = "image",
                                            long maxPixels = DataLoadOptions.DefaultMaxImagePixels)
    {
        using var data = OpenData(encoded, item);
        using var codec = OpenCodec(data, item, maxPixels);
        bool portrait = codec.Info.Width <= codec.Info.Height;
        var (sw, sh) = ScaledSize(codec, portrait ? minShortSide : 0, portrait ? 0 : minShortSide);
        using var bitmap = DecodeRgba(codec, sw, sh, item);
        return ToChw(bitmap, 0, 0, sw, sh, 3);
    }

    /// <summary>The full size of an encoded image, read from its header only (no pixels are decoded).</summary>
    public static (int Width, int Height) Dimensions(ReadOnlySpan<byte> encoded, string item, long maxPixels = DataLoadOptions.DefaultMaxImagePixels)
    {
        using var data = OpenData(encoded, item);
        using var codec = OpenCodec(data, item, maxPixels);
        return (codec.Info.Width, codec.Info.Height);
    }

    /// <summary>
    /// Decodes at the smallest supported size of at least <paramref name="minScale"/>(full width, full height) times
    /// the full size (1 or more: full size), as an RGBA bitmap the caller disposes. The scale is asked for once the
    /// header is read, so a caller can choose it from the image's size (a random crop box) with one codec open.
    /// Returns the full size and the scale actually used per axis, to map a box in full-size coordinates onto the bitmap.
    /// </summary>
    public static (SKBitmap Rgba, int FullWidth, int FullHeight, double ScaleX, double ScaleY) DecodeRgbaAtScale(
        ReadOnlySpan<byte> encoded, string item, Func<int, int, double> minScale, long maxPixels = DataLoadOptions.DefaultMaxImagePixels)
    {
        using var data = OpenData(encoded, item);
        using var codec = OpenCodec(data, item, maxPixels);
        int w = codec.Info.Width, h = codec.Info.Height;
        var (sw, sh) = ScaledSize(codec, minScale(w, h));
        var bitmap = DecodeRgba(codec, sw, sh, item);
        return (bitmap, w, h, (double)sw / w, (double)sh / h);
    }

    /// <summary>
    /// <see cref="DecodeRgbaAtScale"/> for one region only (docs/training.md "The parallel loader"): once the header is
    /// read, <paramref name="choose"/> gets the full width and height and returns the minimum scale and the box
    /// (in full-size pixels) that will be used; the codec decodes at that scale only the rows and columns that cover the
    /// box plus a one-pixel margin (for a bilinear resize), into <paramref name="pixels"/> (grown as needed, reused by
    /// the caller), RGBA rows of 4 x Width bytes. For JPEG the rows above the region are skipped without colour
    /// conversion (libjpeg-turbo jpeg_skip_scanlines), decoding stops after its last row, and its columns are cut to
    /// whole iMCUs (jpeg_crop_scanline); other formats decode whole and the region is copied out.
    /// </summary>
    public static DecodedRegion DecodeRgbaRegion(ReadOnlySpan<byte> encoded, string item,
        Func<int, int, (double MinScale, int Left, int Top, int Width, int Height)> choose, ref byte[] pixels,
        long maxPixels = DataLoadOptions.DefaultMaxImagePixels)
    {
        using var data = OpenData(encoded, item);
        using var codec = OpenCodec(data, item, maxPixels);
        int w = codec.Info.Width, h = codec.Info.Height;
        var (minScale, left, top, width, height) = choose(w, h);
        var (sw, sh) = ScaledSize(codec, minScale);
        double sx = (double)sw / w, sy = (double)sh / h;
        int x0 = Math.Clamp((int)Math.Floor(left * sx) - 1, 0, sw - 1), y0 = Math.Clamp((int)Math.Floor(top * sy) - 1, 0, sh - 1);
        int x1 = Math.Clamp((int)Math.Ceiling((left + width) * sx) + 1, x0 + 1, sw), y1 = Math.Clamp((int)Math.Ceiling((top + height) * sy) + 1, y0 + 1, sh);
        int rw = x1 - x0, rh = y1 - y0;
        if (pixels.Length < 4 * rw * rh) pixels = new byte[Math.Max(4 * rw * rh, 2 * pixels.Length)];
        var info = new SKImageInfo(sw, sh, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        if (codec.EncodedFormat == SKEncodedImageFormat.Jpeg)
        {
            var options = rw < sw ? new SKCodecOptions(new SKRectI(x0, 0, x1, sh)) : SKCodecOptions.Default;
            unsafe
            {
                fixed (byte* dst = pixels)
                {
                    if (codec.StartScanlineDecode(info, options) == SKCodecResult.Success
                        && (y0 == 0 || codec.SkipScanlines(y0)))
                    {
                        int rows = codec.GetScanlines((IntPtr)dst, rh, 4 * rw);
                        if (rows < rh) throw new BadInputException(item, $"is truncated: the JPEG data ends at row {y0 + rows} of {sh}.");
                        return new DecodedRegion(rw, rh, x0, y0, sx, sy);
                    }
                }
            }
        }
        // Whole-image decode, then the region copied out.
        using var bitmap = DecodeRgba(codec, sw, sh, item);
        var src = bitmap.GetPixelSpan();
        for (int y = 0; y < rh; y++)
            src.Slice((y0 + y) * bitmap.RowBytes + 4 * x0, 4 * rw).CopyTo(pixels.AsSpan(4 * rw * y));
        return new DecodedRegion(rw, rh, x0, y0, sx, sy);
    }

    /// <summary>
    /// The smallest size the codec decodes to directly whose sides are at least <paramref name="minScale"/> times
    /// the full ones (rounded up to whole pixels).
    /// </summary>
    private static (int Width, int Height) ScaledSize(SKCodec codec, double minScale)
    {
        int w = codec.Info.Width, h = codec.Info.Height;
        // The tolerance keeps a request of exactly k/8 from failing on floating-point rounding.
        return ScaledSize(codec, (int)Math.Ceiling(w * minScale - 1e-6), (int)Math.Ceiling(h * minScale - 1e-6));
    }

    /// <summary>
    /// The smallest size the codec decodes to directly with at least <paramref name="minWidth"/> x
    /// <paramref name="minHeight"/> pixels; the full size when none smaller does. SKCodec.GetScaledDimensions
    /// rounds a requested scale to one the codec supports (for JPEG k/8, sides rounded up as libjpeg-turbo's
    /// jpeg_calc_output_dimensions does), so the candidates k/8 are tried from the smallest up.
    /// </summary>
    private static (int Width, int Height) ScaledSize(SKCodec codec, int minWidth, int minHeight)
    {
        int w = codec.Info.Width, h = codec.Info.Height;
        if (minWidth >= w || minHeight >= h || codec.EncodedFormat != SKEncodedImageFormat.Jpeg) return (w, h);
        for (int k = 1; k < 8; k++)
        {
            var size = codec.GetScaledDimensions(k / 8f);
            if (size.Width >= minWidth && size.Height >= minHeight && size.Width > 0 && size.Height > 0)
                return (size.Width, size.Height);
        }
        return (w, h);
    }

    private static SKData OpenData(ReadOnlySpan<byte> encoded, string item)
    {
        if (encoded.Length == 0) throw new BadInputException(item, "is empty (0 bytes), not an image.");
        return SKData.CreateCopy(encoded);
    }

    /// <summary>Opens a codec and checks its declared size against the pixel cap before any pixel memory exists.</summary>
    private static SKCodec OpenCodec(SKData data, string item, long maxPixels)
    {
        var codec = SKCodec.Create(data)
            ?? throw new BadInputException(item, "is not a decodable image (JPEG, PNG, WebP, BMP or GIF expected): corrupt or another format.");
        var info = codec.Info;
        long declared = (long)info.Width * info.Height;
        if (info.Width <= 0 || info.Height <= 0)
        {
            codec.Dispose();
            throw new BadInputException(item, $"declares an empty size {info.Width}x{info.Height}.");
        }
        if (declared > maxPixels)
        {
            codec.Dispose();
            throw new BadInputException(item,
                $"declares {info.Width}x{info.Height} = {declared:N0} pixels, above the cap of {maxPixels:N0} " +
                "(a guard against decompression bombs). Raise the cap (--max-image-pixels) if the image is genuine.");
        }
        return codec;
    }

    /// <summary>Decodes to an RGBA bitmap of the given size, which must be the full size or one the codec scales to.</summary>
    private static SKBitmap DecodeRgba(SKCodec codec, int width, int height, string item)
    {
        var rgbaInfo = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var bitmap = new SKBitmap(rgbaInfo);
        var result = codec.GetPixels(rgbaInfo, bitmap.GetPixels());
        if (result == SKCodecResult.Success) return bitmap;
        bitmap.Dispose();
        if (result == SKCodecResult.IncompleteInput)
            throw new BadInputException(item, $"is truncated: the {codec.EncodedFormat} data ends before the image does.");
        throw new BadInputException(item, $"could not be decoded as {codec.EncodedFormat} ({result}): the file is corrupt.");
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
