// Files a person pastes into a text box or drops onto a panel, handed to `add`: the same gesture
// in the agents' composer and in the customers' widget (each bundle takes its own copy).
export function takeDroppedFiles(pasteInto: HTMLElement, dropOnto: HTMLElement, add: (files: File[]) => void): void {
  pasteInto.addEventListener('paste', (e) => {
    const pasted = [...((e as ClipboardEvent).clipboardData?.files ?? [])];
    if (pasted.length) { e.preventDefault(); add(pasted); }
  });
  dropOnto.addEventListener('dragover', (e) => { e.preventDefault(); dropOnto.classList.add('drop'); });
  dropOnto.addEventListener('dragleave', () => dropOnto.classList.remove('drop'));
  dropOnto.addEventListener('drop', (e) => { e.preventDefault(); dropOnto.classList.remove('drop'); add([...((e as DragEvent).dataTransfer?.files ?? [])]); });
}
