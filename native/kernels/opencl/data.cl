/* Data-loading kernels (transforms.c): the inverse-mapping warp behind every geometric transform, and
 * brightness/contrast. One C×H×W image per call; one work-item per output pixel, all channels.
 * Coordinates are mapped in acc_t (double where the device has it, as on the CPU). */

inline float data_pixel(__global const float* p, long h, long w, long x, long y, int replicate, float fill)
{
    if (x < 0 || x >= w || y < 0 || y >= h) {
        if (!replicate) return fill;
        x = x < 0 ? 0 : (x >= w ? w - 1 : x);
        y = y < 0 ? 0 : (y >= h ? h - 1 : y);
    }
    return p[y * w + x];
}

inline acc_t data_clamp(acc_t v, acc_t hi)
{
    if (!(v > 0)) return 0;
    return v > hi ? hi : v;
}

/* dims: C H W OH OW; m: the 3×3 output → input map, row-major, in acc_t. */
__kernel void cs_warp(__global const float* src, long so, int8 dims, __global float* dst, long dso,
                      __global const acc_t* m, int bilinear, int replicate, float fill)
{
    long t = GID0;
    const long c = dims.s0, h = dims.s1, w = dims.s2, oh = dims.s3, ow = dims.s4;
    if (t >= oh * ow) return;
    const long x = t % ow, y = t / ow;
    const long plane = h * w, oplane = oh * ow;
    const int projective = m[6] != 0 || m[7] != 0 || m[8] != 1;
    acc_t sx = m[0] * (acc_t)x + (m[1] * (acc_t)y + m[2]), sy = m[3] * (acc_t)x + (m[4] * (acc_t)y + m[5]);
    if (projective) {
        acc_t q = m[6] * (acc_t)x + (m[7] * (acc_t)y + m[8]);
        if (q > 0) { sx /= q; sy /= q; }
        else { sx = NAN; sy = NAN; }
    }
    __global float* out = dst + dso + t;
    __global const float* s = src + so;
    if (!(sx > -1 && sx < (acc_t)w && sy > -1 && sy < (acc_t)h)) {
        if (!replicate) {
            for (long ch = 0; ch < c; ch++) out[ch * oplane] = fill;
            return;
        }
        sx = data_clamp(sx, (acc_t)(w - 1));
        sy = data_clamp(sy, (acc_t)(h - 1));
    }
    if (!bilinear) {
        long ix = (long)floor(sx + (acc_t)0.5), iy = (long)floor(sy + (acc_t)0.5);
        for (long ch = 0; ch < c; ch++) out[ch * oplane] = data_pixel(s + ch * plane, h, w, ix, iy, replicate, fill);
        return;
    }
    acc_t fx = floor(sx), fy = floor(sy);
    long x0 = (long)fx, y0 = (long)fy;
    float ax = (float)(sx - fx), ay = (float)(sy - fy);
    for (long ch = 0; ch < c; ch++) {
        __global const float* p = s + ch * plane;
        float v00 = data_pixel(p, h, w, x0, y0, replicate, fill), v01 = data_pixel(p, h, w, x0 + 1, y0, replicate, fill);
        float v10 = data_pixel(p, h, w, x0, y0 + 1, replicate, fill), v11 = data_pixel(p, h, w, x0 + 1, y0 + 1, replicate, fill);
        float top = v00 + ax * (v01 - v00);
        float bottom = v10 + ax * (v11 - v10);
        out[ch * oplane] = top + ay * (bottom - top);
    }
}

/* One work-item: the grey mean (ITU-R 601 luma for 3 channels, else the plain mean) into mean[0]. */
__kernel void cs_gray_mean(__global const float* x, long xo, long c, long plane, __global float* mean)
{
    if (get_global_id(0) != 0) return;
    __global const float* p = x + xo;
    acc_t sum = 0;
    if (c == 3) {
        for (long i = 0; i < plane; i++) sum += ACC(0.2989) * p[i] + ACC(0.587) * p[plane + i] + ACC(0.114) * p[2 * plane + i];
        mean[0] = (float)(sum / (acc_t)plane);
        return;
    }
    for (long i = 0; i < c * plane; i++) sum += p[i];
    mean[0] = (float)(sum / (acc_t)(c * plane));
}

/* x = clamp(a·x + b, lo, hi), b = (1 − a)·mean[0] when mean is given, else 0. */
__kernel void cs_scale_shift_clamp(__global float* x, long xo, long n, float a, __global const float* mean, float lo, float hi)
{
    long i = GID0;
    if (i >= n) return;
    float b = mean ? (1.0f - a) * mean[0] : 0.0f;
    float v = a * x[xo + i] + b;
    x[xo + i] = v < lo ? lo : (v > hi ? hi : v);
}
