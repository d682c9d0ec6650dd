// `/de/`, `/fr/`, `/es/` answer 200 instead of redirecting to the slash-less form.
export const trailingSlash = 'always';
