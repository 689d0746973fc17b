"""Finding the field: the 17 boxes (or characters) of a whole-field image, scan or phone photo.

One pipeline, one module a step: decode (photo) -> locate the field (locate, quad) -> rectify
(rectify) -> flatten the light (light) -> find the grid (grid, deskew, gaps) -> cut (cut); the
strategies tried and the rules for which attempt counts are in pipeline (`find_field`).
"""
