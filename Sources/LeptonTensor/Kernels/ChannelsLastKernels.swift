import CKernels
import Foundation

/// Loops for channels-last (NHWC) convolution and pooling.
///
/// The CPU backend lowers an NHWC convolution to one GEMM over many images: the patch matrix
/// has one row per output pixel, `[N·OH·OW, KH·KW·C/groups]`, its columns ordered
/// (kh, kw, c) so that each tap copies `C/groups` contiguous channels. Weights stored as
/// `[O, C/groups, KH, KW]` are repacked to `[O, KH, KW, C/groups]` to match.
enum ChannelsLastKernels {
    /// `wp[o, (kh·KW + kw)·cg + c] = w[o, (c·KH + kh)·KW + kw]`.
    static func packWeights(_ p: Conv2DParameters, _ w: UnsafePointer<Float>, _ wp: UnsafeMutablePointer<Float>) {
        let cg = p.groupInChannels, kh = p.kernelHeight, kw = p.kernelWidth, k = p.patchSize
        if cg == 1 || kh * kw == 1 { wp.update(from: w, count: p.outChannels * k); return }
        for o in 0..<p.outChannels {
            let src = w + o * k, dst = wp + o * k
            for c in 0..<cg { for t in 0..<(kh * kw) { dst[t * cg + c] = src[c * kh * kw + t] } }
        }
    }

    /// The inverse of ``packWeights(_:_:_:)``.
    static func unpackWeights(_ p: Conv2DParameters, _ wp: UnsafePointer<Float>, _ w: UnsafeMutablePointer<Float>) {
        let cg = p.groupInChannels, kh = p.kernelHeight, kw = p.kernelWidth, k = p.patchSize
        if cg == 1 || kh * kw == 1 { w.update(from: wp, count: p.outChannels * k); return }
        for o in 0..<p.outChannels {
            let src = wp + o * k, dst = w + o * k
            for c in 0..<cg { for t in 0..<(kh * kw) { dst[c * kh * kw + t] = src[t * cg + c] } }
        }
    }

    /// Writes the patch rows of images `images` for group `g` into `col` (`[images·OH·OW, K]`).
    static func im2col(_ p: Conv2DParameters, group g: Int, _ x: UnsafePointer<Float>, images: Range<Int>,
                       _ col: UnsafeMutablePointer<Float>) {
        let (h, w, c, cg, k) = (p.height, p.width, p.inChannels, p.groupInChannels, p.patchSize)
        var row = 0
        for n in images {
            let image = x + n * h * w * c + g * cg
            for oy in 0..<p.outHeight {
                for ox in 0..<p.outWidth {
                    let dst = col + row * k
                    var t = 0
                    let iw0 = ox * p.strideWidth - p.padLeft
                    // A window row inside the image is one run of KW · C floats (one group, no dilation).
                    let rowInside = cg == c && p.dilationWidth == 1 && iw0 >= 0 && iw0 + p.kernelWidth <= w
                    for kh in 0..<p.kernelHeight {
                        let ih = oy * p.strideHeight - p.padTop + kh * p.dilationHeight
                        if rowInside && ih >= 0 && ih < h {
                            let src = image + (ih * w + iw0) * c, seg = dst + t * cg, run = p.kernelWidth * c
                            for i in 0..<run { seg[i] = src[i] }
                            t += p.kernelWidth
                            continue
                        }
                        for kw in 0..<p.kernelWidth {
                            let iw = ox * p.strideWidth - p.padLeft + kw * p.dilationWidth
                            let seg = dst + t * cg
                            if ih < 0 || ih >= h || iw < 0 || iw >= w {
                                for i in 0..<cg { seg[i] = 0 }
                            } else {
                                let src = image + (ih * w + iw) * c
                                if cg == 1 { seg[0] = src[0] } else { for i in 0..<cg { seg[i] = src[i] } }
                            }
                            t += 1
                        }
                    }
                    row += 1
                }
            }
        }
    }

    /// Adds the patch rows `col` back into group `g` of images `images` of `dx`.
    static func col2im(_ p: Conv2DParameters, group g: Int, _ col: UnsafePointer<Float>, images: Range<Int>,
                       _ dx: UnsafeMutablePointer<Float>) {
        let (h, w, c, cg, k) = (p.height, p.width, p.inChannels, p.groupInChannels, p.patchSize)
        var row = 0
        for n in images {
            let image = dx + n * h * w * c + g * cg
            for oy in 0..<p.outHeight {
                for ox in 0..<p.outWidth {
                    let src = col + row * k
                    var t = 0
                    for kh in 0..<p.kernelHeight {
                        let ih = oy * p.strideHeight - p.padTop + kh * p.dilationHeight
                        for kw in 0..<p.kernelWidth {
                            let iw = ox * p.strideWidth - p.padLeft + kw * p.dilationWidth
                            if ih >= 0 && ih < h && iw >= 0 && iw < w {
                                let d = image + (ih * w + iw) * c, s = src + t * cg
                                for i in 0..<cg { d[i] += s[i] }
                            }
                            t += 1
                        }
                    }
                    row += 1
                }
            }
        }
    }

    /// Calls `body(inputIndex, weightIndex, outputIndex)` for every multiply-add of the NHWC
    /// convolution (the reference backend's definition).
    @inline(__always)
    static func forEachTap(_ p: Conv2DParameters, _ body: (Int, Int, Int) -> Void) {
        let cg = p.groupInChannels, og = p.groupOutChannels
        for n in 0..<p.batch {
            for y in 0..<p.outHeight {
                for x in 0..<p.outWidth {
                    for o in 0..<p.outChannels {
                        let g = o / og
                        let outIndex = ((n * p.outHeight + y) * p.outWidth + x) * p.outChannels + o
                        for c in 0..<cg {
                            let ic = g * cg + c
                            for kh in 0..<p.kernelHeight {
                                let ih = y * p.strideHeight - p.padTop + kh * p.dilationHeight
                                if ih < 0 || ih >= p.height { continue }
                                for kw in 0..<p.kernelWidth {
                                    let iw = x * p.strideWidth - p.padLeft + kw * p.dilationWidth
                                    if iw < 0 || iw >= p.width { continue }
                                    let inIndex = ((n * p.height + ih) * p.width + iw) * p.inChannels + ic
                                    let wIndex = ((o * cg + c) * p.kernelHeight + kh) * p.kernelWidth + kw
                                    body(inIndex, wIndex, outIndex)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// NHWC pooling of images `images` (`p.planes` is the batch), channels innermost; 2×2 max
    /// pooling at inference takes ``MaxPool2x2Kernels``.
    static func poolForward(_ p: Pool2DParameters, channels c: Int, _ x: UnsafePointer<Float>,
                            _ y: UnsafeMutablePointer<Float>, _ indices: UnsafeMutablePointer<Int32>?,
                            _ images: Range<Int>) {
        if indices == nil && MaxPool2x2Kernels.suits(p) { return MaxPool2x2Kernels.forward(p, channels: c, x, y, images) }
        let (h, w) = (p.height, p.width)
        for n in images {
            let image = x + n * h * w * c
            for oy in 0..<p.outHeight {
                let y0 = oy * p.strideHeight - p.padTop
                let ys = Swift.max(y0, 0), ye = Swift.max(ys, Swift.min(y0 + p.kernelHeight, h))
                for ox in 0..<p.outWidth {
                    let x0 = ox * p.strideWidth - p.padLeft
                    let xs = Swift.max(x0, 0), xe = Swift.max(xs, Swift.min(x0 + p.kernelWidth, w))
                    let o = ((n * p.outHeight + oy) * p.outWidth + ox) * c
                    let out = y + o
                    switch p.kind {
                    case .max:
                        maxWindow(image, width: w, channels: c, rows: ys..<ye, columns: xs..<xe, out, indices.map { $0 + o })
                    case .average:
                        for i in 0..<c { out[i] = 0 }
                        for iy in ys..<ye {
                            for ix in xs..<xe {
                                let src = image + (iy * w + ix) * c
                                for i in 0..<c { out[i] += src[i] }
                            }
                        }
                        let d = Float(PoolKernels.divisor(p, y0: y0, x0: x0, ys: ys, ye: ye, xs: xs, xe: xe))
                        for i in 0..<c { out[i] /= d }
                    }
                }
            }
        }
    }

    /// The maximum over window rows × columns of an [H, W, C] image, per channel (NaN wins, the
    /// first maximum's position `iy · W + ix` goes to `indices`); eight channels at a time.
    @inline(__always)
    private static func maxWindow(_ image: UnsafePointer<Float>, width w: Int, channels c: Int, rows: Range<Int>,
                                  columns: Range<Int>, _ out: UnsafeMutablePointer<Float>,
                                  _ indices: UnsafeMutablePointer<Int32>?) {
        let first = Int32(rows.lowerBound * w + columns.lowerBound)
        var i = 0
        while i + 8 <= c {
            var best = SIMD8<Float>(repeating: -.infinity), at = SIMD8<Int32>(repeating: first)
            for iy in rows {
                for ix in columns {
                    let v = UnsafeRawPointer(image + (iy * w + ix) * c + i).loadUnaligned(as: SIMD8<Float>.self)
                    let take = (v .> best) .| (v .!= v)
                    best.replace(with: v, where: take)
                    if indices != nil { at.replace(with: Int32(iy * w + ix), where: take) }
                }
            }
            UnsafeMutableRawPointer(out + i).storeBytes(of: best, as: SIMD8<Float>.self)
            if let indices { UnsafeMutableRawPointer(indices + i).storeBytes(of: at, as: SIMD8<Int32>.self) }
            i += 8
        }
        for i in i..<c {
            var best = -Float.infinity, at = first
            for iy in rows {
                for ix in columns {
                    let v = image[(iy * w + ix) * c + i]
                    if v > best || v.isNaN { best = v; at = Int32(iy * w + ix) }
                }
            }
            out[i] = best
            indices?[i] = at
        }
    }

    /// Gradient of ``poolForward(_:channels:_:_:_:_:)`` for images `images` (overwrites dx).
    static func poolBackward(_ p: Pool2DParameters, channels c: Int, _ dy: UnsafePointer<Float>,
                             _ indices: UnsafePointer<Int32>?, _ dx: UnsafeMutablePointer<Float>, _ images: Range<Int>) {
        let (h, w) = (p.height, p.width)
        for n in images {
            let image = dx + n * h * w * c
            image.update(repeating: 0, count: h * w * c)
            for oy in 0..<p.outHeight {
                let y0 = oy * p.strideHeight - p.padTop
                let ys = Swift.max(y0, 0), ye = Swift.max(ys, Swift.min(y0 + p.kernelHeight, h))
                for ox in 0..<p.outWidth {
                    let o = ((n * p.outHeight + oy) * p.outWidth + ox) * c
                    let g = dy + o
                    switch p.kind {
                    case .max:
                        let idx = indices! + o
                        for i in 0..<c { image[Int(idx[i]) * c + i] += g[i] }
                    case .average:
                        let x0 = ox * p.strideWidth - p.padLeft
                        let xs = Swift.max(x0, 0), xe = Swift.max(xs, Swift.min(x0 + p.kernelWidth, w))
                        let d = Float(PoolKernels.divisor(p, y0: y0, x0: x0, ys: ys, ye: ye, xs: xs, xe: xe))
                        for iy in ys..<ye {
                            for ix in xs..<xe {
                                let dst = image + (iy * w + ix) * c
                                for i in 0..<c { dst[i] += g[i] / d }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The fused Adam / AdamW update, one pass over parameter, gradient and moments. The
/// arithmetic follows the composed tensor formula step by step (same float32 roundings):
/// `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `p ← p − m / (√v / √c₂ + ε) · (lr / c₁)`.
enum OptimizerKernels {
    /// The constants of one Adam step as the C kernel takes them (the same values ``adam`` computes).
    static func adamStep(_ a: AdamParameters) -> LeptonAdamStep {
        let c1 = 1 - Float(Foundation.pow(Double(a.beta1), Double(a.step)))
        let c2 = 1 - Float(Foundation.pow(Double(a.beta2), Double(a.step)))
        let wd = a.weightDecay
        return LeptonAdamStep(beta1: a.beta1, beta2: a.beta2, one_minus_beta1: 1 - a.beta1, one_minus_beta2: 1 - a.beta2,
                              inverse_sqrt_correction2: 1 / c2.squareRoot(), epsilon: a.epsilon, step_size: a.learningRate / c1,
                              weight_decay: wd, decay: 1 - a.learningRate * wd,
                              l2: wd != 0 && !a.decoupledWeightDecay ? 1 : 0, decoupled: wd != 0 && a.decoupledWeightDecay ? 1 : 0)
    }

    static func adam(_ a: AdamParameters, _ param: UnsafeMutablePointer<Float>, _ grad: UnsafePointer<Float>,
                     _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        let s = adamStep(a)
        let b1 = s.beta1, b2 = s.beta2, ob1 = s.one_minus_beta1, ob2 = s.one_minus_beta2, eps = s.epsilon
        let invSqrtC2 = s.inverse_sqrt_correction2, stepSize = s.step_size
        let wd = s.weight_decay, decay = s.decay
        let l2 = s.l2 != 0, decoupled = s.decoupled != 0
        if !l2 && !decoupled {
            for i in range {
                let g = grad[i]
                let mi = b1 * m[i] + ob1 * g
                let vi = b2 * v[i] + ob2 * (g * g)
                m[i] = mi
                v[i] = vi
                let d = vi.squareRoot() * invSqrtC2 + eps
                param[i] = param[i] - (mi / d) * stepSize
            }
            return
        }
        for i in range {
            var p = param[i]
            var g = grad[i]
            if decoupled { p = p * decay }
            if l2 { g = g + p * wd }
            let mi = b1 * m[i] + ob1 * g
            let vi = b2 * v[i] + ob2 * (g * g)
            m[i] = mi
            v[i] = vi
            let d = vi.squareRoot() * invSqrtC2 + eps
            param[i] = p - (mi / d) * stepSize
        }
    }
}
