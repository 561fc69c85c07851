/// Loops for 2-D convolution: im2col / col2im (the CPU backend's lowering to GEMM) and a
/// direct convolution (the reference backend's independent definition).
enum ConvKernels {
    /// Writes the `[C/groups · KH · KW, OH · OW]` patch matrix of one image's group into `col`.
    /// `x` points at the group's first input channel.
    static func im2col(_ p: Conv2DParameters, _ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>) {
        let (oh, ow, h, w) = (p.outHeight, p.outWidth, p.height, p.width)
        var row = 0
        for c in 0..<p.groupInChannels {
            let plane = x + c * h * w
            for kh in 0..<p.kernelHeight {
                for kw in 0..<p.kernelWidth {
                    let dst = col + row * oh * ow
                    let offW = kw * p.dilationWidth - p.padLeft
                    // Output columns whose input column is inside the image.
                    let lo = offW >= 0 ? 0 : Swift.min(ow, (-offW + p.strideWidth - 1) / p.strideWidth)
                    let hi = Swift.max(lo, Swift.min(ow, (w - 1 - offW) >= 0 ? (w - 1 - offW) / p.strideWidth + 1 : 0))
                    for y in 0..<oh {
                        let ih = y * p.strideHeight - p.padTop + kh * p.dilationHeight
                        let d = dst + y * ow
                        if ih < 0 || ih >= h {
                            d.update(repeating: 0, count: ow)
                            continue
                        }
                        let src = plane + ih * w
                        for x in 0..<lo { d[x] = 0 }
                        if p.strideWidth == 1 {
                            (d + lo).update(from: src + lo + offW, count: hi - lo)
                        } else {
                            for x in lo..<hi { d[x] = src[x * p.strideWidth + offW] }
                        }
                        for x in hi..<ow { d[x] = 0 }
                    }
                    row += 1
                }
            }
        }
    }

    /// Adds the patch matrix `col` back into one image's group of input channels (`dx += col2im(col)`).
    static func col2im(_ p: Conv2DParameters, _ col: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
        let (oh, ow, h, w) = (p.outHeight, p.outWidth, p.height, p.width)
        var row = 0
        for c in 0..<p.groupInChannels {
            let plane = dx + c * h * w
            for kh in 0..<p.kernelHeight {
                for kw in 0..<p.kernelWidth {
                    let src = col + row * oh * ow
                    let offW = kw * p.dilationWidth - p.padLeft
                    let lo = offW >= 0 ? 0 : Swift.min(ow, (-offW + p.strideWidth - 1) / p.strideWidth)
                    let hi = Swift.max(lo, Swift.min(ow, (w - 1 - offW) >= 0 ? (w - 1 - offW) / p.strideWidth + 1 : 0))
                    for y in 0..<oh {
                        let ih = y * p.strideHeight - p.padTop + kh * p.dilationHeight
                        if ih < 0 || ih >= h { continue }
                        let d = plane + ih * w, s = src + y * ow
                        for x in lo..<hi { d[x * p.strideWidth + offW] += s[x] }
                    }
                    row += 1
                }
            }
        }
    }

    /// Calls `body(inputIndex, weightIndex, outputIndex)` for every multiply-add of the
    /// convolution of images `images`; the reference backend's three passes share it.
    @inline(__always)
    static func forEachTap(_ p: Conv2DParameters, images: Range<Int>, _ body: (Int, Int, Int) -> Void) {
        let cg = p.groupInChannels, og = p.groupOutChannels
        for n in images {
            for o in 0..<p.outChannels {
                let g = o / og
                for y in 0..<p.outHeight {
                    for x in 0..<p.outWidth {
                        let outIndex = ((n * p.outChannels + o) * p.outHeight + y) * p.outWidth + x
                        for c in 0..<cg {
                            let ic = g * cg + c
                            for kh in 0..<p.kernelHeight {
                                let ih = y * p.strideHeight - p.padTop + kh * p.dilationHeight
                                if ih < 0 || ih >= p.height { continue }
                                for kw in 0..<p.kernelWidth {
                                    let iw = x * p.strideWidth - p.padLeft + kw * p.dilationWidth
                                    if iw < 0 || iw >= p.width { continue }
                                    let inIndex = ((n * p.inChannels + ic) * p.height + ih) * p.width + iw
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
}

/// Loops for max and average pooling, one input plane at a time.
enum PoolKernels {
    static func forward(_ p: Pool2DParameters, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                        _ indices: UnsafeMutablePointer<Int32>?, _ planes: Range<Int>) {
        let inPlane = p.height * p.width, outPlane = p.outHeight * p.outWidth
        for plane in planes {
            let px = x + plane * inPlane, py = y + plane * outPlane
            for oy in 0..<p.outHeight {
                let y0 = oy * p.strideHeight - p.padTop
                let ys = Swift.max(y0, 0), ye = Swift.min(y0 + p.kernelHeight, p.height)
                for ox in 0..<p.outWidth {
                    let x0 = ox * p.strideWidth - p.padLeft
                    let xs = Swift.max(x0, 0), xe = Swift.min(x0 + p.kernelWidth, p.width)
                    let o = oy * p.outWidth + ox
                    switch p.kind {
                    case .max:
                        var best = -Float.infinity, bestIndex = ys * p.width + xs
                        for iy in ys..<Swift.max(ys, ye) {
                            for ix in xs..<Swift.max(xs, xe) {
                                let v = px[iy * p.width + ix]
                                if v > best || v.isNaN { best = v; bestIndex = iy * p.width + ix }
                                if v.isNaN { break }
                            }
                        }
                        py[o] = best
                        indices?[plane * outPlane + o] = Int32(bestIndex)
                    case .average:
                        var s: Float = 0
                        for iy in ys..<Swift.max(ys, ye) {
                            for ix in xs..<Swift.max(xs, xe) { s += px[iy * p.width + ix] }
                        }
                        py[o] = s / Float(divisor(p, y0: y0, x0: x0, ys: ys, ye: ye, xs: xs, xe: xe))
                    }
                }
            }
        }
    }

    static func backward(_ p: Pool2DParameters, _ dy: UnsafePointer<Float>, _ indices: UnsafePointer<Int32>?,
                         _ dx: UnsafeMutablePointer<Float>, _ planes: Range<Int>) {
        let inPlane = p.height * p.width, outPlane = p.outHeight * p.outWidth
        for plane in planes {
            let pdx = dx + plane * inPlane, pdy = dy + plane * outPlane
            pdx.update(repeating: 0, count: inPlane)
            for oy in 0..<p.outHeight {
                let y0 = oy * p.strideHeight - p.padTop
                let ys = Swift.max(y0, 0), ye = Swift.min(y0 + p.kernelHeight, p.height)
                for ox in 0..<p.outWidth {
                    let o = oy * p.outWidth + ox
                    switch p.kind {
                    case .max:
                        pdx[Int(indices![plane * outPlane + o])] += pdy[o]
                    case .average:
                        let x0 = ox * p.strideWidth - p.padLeft
                        let xs = Swift.max(x0, 0), xe = Swift.min(x0 + p.kernelWidth, p.width)
                        let g = pdy[o] / Float(divisor(p, y0: y0, x0: x0, ys: ys, ye: ye, xs: xs, xe: xe))
                        for iy in ys..<Swift.max(ys, ye) {
                            for ix in xs..<Swift.max(xs, xe) { pdx[iy * p.width + ix] += g }
                        }
                    }
                }
            }
        }
    }

    /// PyTorch's divisor: the window clipped to the padded input (or to the input without padding).
    @inline(__always)
    static func divisor(_ p: Pool2DParameters, y0: Int, x0: Int, ys: Int, ye: Int, xs: Int, xe: Int) -> Int {
        if p.countIncludePad {
            let hEnd = Swift.min(y0 + p.kernelHeight, p.height + p.padTop)
            let wEnd = Swift.min(x0 + p.kernelWidth, p.width + p.padLeft)
            return Swift.max((hEnd - y0) * (wEnd - x0), 1)
        }
        return Swift.max((ye - ys) * (xe - xs), 1)
    }
}
