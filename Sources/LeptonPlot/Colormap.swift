/// Maps a value in 0…1 to a colour: perceptually uniform sequential maps for magnitudes
/// (heatmaps, confusion matrices) and a diverging one for signed values (attributions).
public enum Colormap: String, CaseIterable, Sendable {
    /// Matplotlib's viridis (dark blue → green → yellow).
    case viridis
    /// Matplotlib's inferno (black → red → yellow), good over grey images.
    case inferno
    /// Blue → white → red, for signed values mapped so that 0.5 is zero.
    case coolwarm

    /// The colour of `t` (clamped to 0…1; NaN draws as the low end).
    public func color(_ t: Double) -> RGB {
        let stops = self.stops
        let x = t.isNaN ? 0 : min(max(t, 0), 1) * Double(stops.count - 1)
        let i = min(Int(x), stops.count - 2)
        return RGB(hex: stops[i]).mixed(with: RGB(hex: stops[i + 1]), alpha: x - Double(i))
    }

    /// Evenly spaced control points, sampled from matplotlib's tables.
    private var stops: [UInt32] {
        switch self {
        case .viridis:
            [0x440154, 0x482878, 0x3E4A89, 0x31688E, 0x26828E, 0x1F9E89, 0x35B779, 0x6DCD59, 0xB4DE2C, 0xFDE725]
        case .inferno:
            [0x000004, 0x1B0C41, 0x4A0C6B, 0x781C6D, 0xA52C60, 0xCF4446, 0xED6925, 0xFB9B06, 0xF7D13D, 0xFCFFA4]
        case .coolwarm:
            [0x3B4CC0, 0x6788EE, 0x9ABBFF, 0xC9D7F0, 0xEDD1C2, 0xF7A889, 0xE26952, 0xB40426]
        }
    }
}
