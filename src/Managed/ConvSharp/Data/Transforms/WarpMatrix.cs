namespace ConvSharp.Data;

/// <summary>The 3×3 inverse maps (output pixel centre → source pixel centre, row-major) behind the
/// geometric transforms. Coordinates: x right, y down, pixel (x, y) at the point (x, y).</summary>
internal static class WarpMatrix
{
    /// <summary>output(x, y) = input(x + left, y + top): a crop (or a pad, for negative offsets).</summary>
    internal static void Translation(double left, double top, Span<double> m)
    {
        Identity(m);
        m[2] = left;
        m[5] = top;
    }

    /// <summary>output(x, y) = input(W − 1 − x, y).</summary>
    internal static void HorizontalFlip(int width, Span<double> m)
    {
        Identity(m);
        m[0] = -1;
        m[2] = width - 1;
    }

    /// <summary>The inverse of: shear, scale, rotate by <paramref name="angleDegrees"/> (counter-clockwise
    /// on screen) about (cx, cy), then translate by (tx, ty). torchvision's _get_inverse_affine_matrix with
    /// its angle negated, as torchvision's rotate does.</summary>
    internal static void Affine(double angleDegrees, double tx, double ty, double scale, double shearXDegrees, double shearYDegrees,
        double cx, double cy, Span<double> m)
    {
        double rot = -angleDegrees * Math.PI / 180, sx = shearXDegrees * Math.PI / 180, sy = shearYDegrees * Math.PI / 180;
        double a = Math.Cos(rot - sy) / Math.Cos(sy);
        double b = -Math.Cos(rot - sy) * Math.Tan(sx) / Math.Cos(sy) - Math.Sin(rot);
        double c = Math.Sin(rot - sy) / Math.Cos(sy);
        double d = -Math.Sin(rot - sy) * Math.Tan(sx) / Math.Cos(sy) + Math.Cos(rot);
        m[0] = d / scale; m[1] = -b / scale; m[3] = -c / scale; m[4] = a / scale;
        m[2] = m[0] * (-cx - tx) + m[1] * (-cy - ty) + cx;
        m[5] = m[3] * (-cx - tx) + m[4] * (-cy - ty) + cy;
        m[6] = 0; m[7] = 0; m[8] = 1;
    }

    /// <summary>The homography taking each of the four <paramref name="from"/> points (x0, y0, …, x3, y3) to the
    /// matching <paramref name="to"/> point. False when the points are degenerate (three on a line).</summary>
    internal static bool Perspective(ReadOnlySpan<double> from, ReadOnlySpan<double> to, Span<double> m)
    {
        if (from[..8].SequenceEqual(to[..8]))
        {
            Identity(m);
            return true;
        }
        // u = (a x + b y + c) / (g x + h y + 1), v = (d x + e y + f) / (g x + h y + 1), linear in a..h.
        Span<double> A = stackalloc double[8 * 9];  // augmented 8 x 9
        for (int i = 0; i < 4; i++)
        {
            double x = from[2 * i], y = from[2 * i + 1], u = to[2 * i], v = to[2 * i + 1];
            Span<double> r0 = A.Slice(2 * i * 9, 9), r1 = A.Slice((2 * i + 1) * 9, 9);
            r0.Clear(); r1.Clear();
            r0[0] = x; r0[1] = y; r0[2] = 1; r0[6] = -x * u; r0[7] = -y * u; r0[8] = u;
            r1[3] = x; r1[4] = y; r1[5] = 1; r1[6] = -x * v; r1[7] = -y * v; r1[8] = v;
        }
        for (int col = 0; col < 8; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < 8; r++)
                if (Math.Abs(A[r * 9 + col]) > Math.Abs(A[pivot * 9 + col])) pivot = r;
            if (Math.Abs(A[pivot * 9 + col]) < 1e-12) return false;
            if (pivot != col)
                for (int k = 0; k < 9; k++) (A[col * 9 + k], A[pivot * 9 + k]) = (A[pivot * 9 + k], A[col * 9 + k]);
            for (int r = 0; r < 8; r++)
            {
                if (r == col) continue;
                double f = A[r * 9 + col] / A[col * 9 + col];
                if (f == 0) continue;
                for (int k = col; k < 9; k++) A[r * 9 + k] -= f * A[col * 9 + k];
            }
        }
        for (int i = 0; i < 8; i++) m[i] = A[i * 9 + 8] / A[i * 9 + i];
        m[8] = 1;
        foreach (double v in m[..9]) if (!double.IsFinite(v)) return false;
        return true;
    }

    internal static void Identity(Span<double> m)
    {
        m[..9].Clear();
        m[0] = 1; m[4] = 1; m[8] = 1;
    }
}
