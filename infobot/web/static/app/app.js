// infobot's small enhancements. Everything works without them: each one drives the same
// forms and routes as the buttons on the page.

import('/static/govuk/govuk-frontend.min.js')
  .then((govuk) => govuk.initAll())
  .catch(() => { /* the page works without GOV.UK Frontend's scripts */ })

// -- live preview on the story page ------------------------------------------------------
const storyForm = document.getElementById('story-form')
if (storyForm && storyForm.dataset.preview) {
  let timer = null
  let latest = 0
  const refresh = async () => {
    const params = new URLSearchParams()
    for (const [name, value] of new FormData(storyForm)) {
      if (name !== 'csrf_token' && typeof value === 'string') params.append(name, value)
    }
    const ticket = ++latest
    try {
      const response = await fetch(storyForm.dataset.preview + '?' + params.toString(), {
        credentials: 'same-origin',
        headers: { Accept: 'text/html' }
      })
      if (!response.ok || ticket !== latest) return
      const html = await response.text()
      const fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('preview')
      const current = document.getElementById('preview')
      if (fresh && current) current.replaceWith(fresh)
    } catch (error) {
      // offline or signed out: the saved preview stays
    }
  }
  storyForm.addEventListener('input', () => {
    clearTimeout(timer)
    timer = setTimeout(refresh, 400)
  })
}

// -- drag and drop in the queue ----------------------------------------------------------
const table = document.getElementById('queue-table')
if (table && table.dataset.csrf) {
  let dragged = null
  const first = Number(table.dataset.first)
  for (const [index, row] of table.querySelectorAll('tr[data-story-id]').entries()) {
    if (!row.querySelector('button[formaction$="/move"]')) continue
    row.draggable = true
    row.classList.add('app-queue__row--draggable')
    row.addEventListener('dragstart', (event) => {
      dragged = row
      event.dataTransfer.effectAllowed = 'move'
      event.dataTransfer.setData('text/plain', row.dataset.storyId)
    })
    row.addEventListener('dragover', (event) => {
      if (dragged && dragged !== row) {
        event.preventDefault()
        row.classList.add('app-queue__row--target')
      }
    })
    row.addEventListener('dragleave', () => row.classList.remove('app-queue__row--target'))
    row.addEventListener('drop', (event) => {
      event.preventDefault()
      row.classList.remove('app-queue__row--target')
      if (!dragged || dragged === row) return
      const form = document.createElement('form')
      form.method = 'post'
      form.action = '/stories/' + dragged.dataset.storyId + '/move'
      const fields = {
        csrf_token: table.dataset.csrf,
        to: 'position',
        position: String(first + index),
        return_to: window.location.pathname + window.location.search
      }
      for (const [name, value] of Object.entries(fields)) {
        const input = document.createElement('input')
        input.type = 'hidden'
        input.name = name
        input.value = value
        form.appendChild(input)
      }
      document.body.appendChild(form)
      form.submit()
    })
  }
}
