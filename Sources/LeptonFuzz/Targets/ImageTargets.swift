import Foundation
import LeptonData
import LeptonFiles
import LeptonTensor

/// The image decoder (PNG through libpng, JPEG through libjpeg-turbo), in both colour modes.
enum ImageTargets {
    static let image = FuzzTarget(
        "image", "PNG and JPEG images, decoded grey and RGB (ImageDecoder.decode)",
        seeds: { _ in
            var seeds = jpegs.compactMap { Data(base64Encoded: $0) }
            let pixels = (0..<48).map { UInt8($0 * 5) }
            seeds.append(PNGWriter.encode(width: 4, height: 4, channels: 3, bytes: pixels))
            seeds.append(PNGWriter.encode(width: 8, height: 6, channels: 1, bytes: pixels))
            let face = DatasetLocation.directory(named: "faces").appendingPathComponent("face/000.png")
            if let data = try? FileContents.read(face) { seeds.append(data) }
            return seeds
        },
        body: { data, _ in
            for mode in ImageDecoder.ColorMode.allCases {
                _ = try ImageDecoder.decode(data, mode: mode, source: "fuzz-image")
            }
        })

    /// Small JPEGs (16×12 baseline and progressive RGB, grey) written by Pillow.
    static let jpegs = [
        "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODwwQFxQYGBcUFhYaHSUfGhsjHBYWICwgIyYn"
            + "KSopGR8tMC0oMCUoKSj/2wBDAQcHBwoIChMKChMoGhYaKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgo"
            + "KCgoKCgoKCj/wAARCAAMABADASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUF"
            + "BAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVW"
            + "V1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi"
            + "4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAEC"
            + "AxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVm"
            + "Z2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq"
            + "8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDyrRfCP3f3f6V3ui+Efu/u/wBK7XRdNtvl+Su90XTLb5fkrmoYuRhwzxLW0P/Z",
        "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA0JCgsKCA0LCgsODg0PEyAVExISEyccHhcgLikxMC4pLSwzOko+MzZGNywtQFdBRkxO"
            + "UlNSMj5aYVpQYEpRUk//2wBDAQ4ODhMREyYVFSZPNS01T09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09P"
            + "T09PT09PT0//wgARCAAMABADASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAABAX/xAAUAQEAAAAAAAAAAAAAAAAAAAAC/9oA"
            + "DAMBAAIQAxAAAAGW5jgf/8QAFxABAQEBAAAAAAAAAAAAAAAAAgABA//aAAgBAQABBQIcoconIHL/xAAWEQEBAQAAAAAAAAAAAAAA"
            + "AAAEAAH/2gAIAQMBAT8BMnb/xAAWEQADAAAAAAAAAAAAAAAAAAAAAQL/2gAIAQIBAT8BVH//xAAUEAEAAAAAAAAAAAAAAAAAAAAg"
            + "/9oACAEBAAY/Ah//xAAWEAEBAQAAAAAAAAAAAAAAAAAAUWH/2gAIAQEAAT8hxYpED//aAAwDAQACAAMAAAAQ/wD/xAAVEQEBAAAA"
            + "AAAAAAAAAAAAAAAAIf/aAAgBAwEBPxCV/8QAFREBAQAAAAAAAAAAAAAAAAAAAAH/2gAIAQIBAT8Qu//EABYQAQEBAAAAAAAAAAAA"
            + "AAAAAAAhMf/aAAgBAQABPxDExJyM/9k=",
        "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAoHBwgHBgoICAgLCgoLDhgQDg0NDh0VFhEYIx8lJCIfIiEmKzcvJik0KSEiMEExNDk7"
            + "Pj4+JS5ESUM8SDc9Pjv/wAALCAAMABABAREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUF"
            + "BAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVW"
            + "V1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi"
            + "4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEBAAA/AOMsPD3T5P0rpLDw90+T9K6CwsoOPkrpbCyg4+Sv/9k=",
    ]
}
